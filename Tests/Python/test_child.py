"""Unit tests of a zygote child's set-up: its environment and its standard streams."""

import io
import os
import unittest

import support  # noqa: F401  (puts the embedded package on sys.path)
from jinn import _child


class EnvironmentTests(unittest.TestCase):
    def test_items_split_at_the_first_equals_sign(self):
        env = _child.environment_from([b"A=1", b"B=x=y", b"EMPTY=", b"NOEQUALS", b"=odd"])
        self.assertEqual(env, {b"A": b"1", b"B": b"x=y", b"EMPTY": b""})

    def test_the_first_of_duplicate_names_wins_as_getenv_does(self):
        self.assertEqual(_child.environment_from([b"A=1", b"A=2"]), {b"A": b"1"})

    def test_bytes_that_are_not_utf8_survive(self):
        self.assertEqual(_child.environment_from([b"P=\xff\xfe"]), {b"P": b"\xff\xfe"})


class ReplaceEnvironmentTests(unittest.TestCase):
    def setUp(self):
        saved = dict(os.environb)
        self.addCleanup(_child.replace_environment, saved)

    def test_the_environment_becomes_exactly_the_given_one(self):
        import ctypes

        os.environb[b"JINN_TEST_GOES"] = b"1"
        os.environb[b"JINN_TEST_CHANGES"] = b"old"
        wanted = dict(os.environb)
        del wanted[b"JINN_TEST_GOES"]
        wanted[b"JINN_TEST_CHANGES"] = b"new"
        wanted[b"JINN_TEST_ARRIVES"] = b"\xff"
        _child.replace_environment(wanted)
        self.assertEqual(dict(os.environb), wanted)
        # The C environment too: what a subprocess or a C extension sees.
        getenv = ctypes.CDLL(None).getenv
        getenv.restype = ctypes.c_char_p
        self.assertIsNone(getenv(b"JINN_TEST_GOES"))
        self.assertEqual(getenv(b"JINN_TEST_CHANGES"), b"new")
        self.assertEqual(getenv(b"JINN_TEST_ARRIVES"), b"\xff")


class StdioTests(unittest.TestCase):
    def stream(self, fd, write, buffered):
        reader, writer = os.pipe()
        self.addCleanup(os.close, reader)
        self.addCleanup(os.close, writer)
        target = writer if write else reader
        saved = os.dup(fd)
        self.addCleanup(os.close, saved)
        self.addCleanup(os.dup2, saved, fd)
        os.dup2(target, fd)
        return _child.make_stdio(fd, write, "utf-8", "strict", buffered)

    def test_stdout_to_a_pipe_is_block_buffered(self):
        stream = self.stream(1, True, True)
        self.assertFalse(stream.line_buffering)
        self.assertFalse(stream.write_through)
        self.assertEqual(stream.mode, "w")
        self.assertEqual(stream.buffer.raw.name, "<stdout>")
        self.assertIsInstance(stream.buffer, io.BufferedWriter)

    def test_stderr_is_line_buffered(self):
        self.assertTrue(self.stream(2, True, True).line_buffering)

    def test_unbuffered_output_writes_through(self):
        stream = self.stream(1, True, False)
        self.assertTrue(stream.write_through)
        self.assertIsInstance(stream.buffer, io.FileIO)

    def test_stdin_is_buffered_even_when_output_is_not(self):
        stream = self.stream(0, False, False)
        self.assertIsInstance(stream.buffer, io.BufferedReader)
        self.assertEqual(stream.mode, "r")


if __name__ == "__main__":
    unittest.main()
