"""Unit tests of what a zygote's spare does while it waits for a run."""

import os
import sys
import unittest

import support  # noqa: F401  (puts the embedded package on sys.path)
from jinn import _spare


class PrepareSpareTests(unittest.TestCase):
    def in_child(self, check):
        """Runs ``check`` in a forked child (the rehearsal touches interpreter state) and returns its result."""
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(reader)
                os.write(writer, repr(check()).encode())
            finally:
                os._exit(0)
        os.close(writer)
        with os.fdopen(reader, "rb") as pipe:
            result = pipe.read().decode()
        os.waitpid(pid, 0)
        return result

    def test_the_rehearsal_leaves_no_trace(self):
        def check():
            import random

            before = (list(sys.argv), getattr(sys, "orig_argv", None), sys.path[0], sys.modules["__main__"],
                      dict(os.environb), os.getcwd(), sys.stdout, random.getstate())
            _spare.prepare_spare()
            after = (list(sys.argv), getattr(sys, "orig_argv", None), sys.path[0], sys.modules["__main__"],
                     dict(os.environb), os.getcwd(), sys.stdout, random.getstate())
            return [b is a or b == a for b, a in zip(before, after)]

        # Everything stays but the random state, which each spare reseeds.
        self.assertEqual(self.in_child(check), repr([True] * 7 + [False]))

    def test_two_spares_draw_different_numbers(self):
        def draw():
            import random

            _spare.prepare_spare()
            return random.random()

        self.assertNotEqual(self.in_child(draw), self.in_child(draw))


if __name__ == "__main__":
    unittest.main()
