"""``jinn._bottom``: a program run from deep frames of an interpreter's ``-c`` code, as a zygote's child runs it,
sees what a script sees under ``python3``: no frame below its own, its exceptions and its exit status."""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

import support

# Stands in for the zygote's child: the program runs from under a dozen frames of the -c code, and ends the way a
# run ends (jinn._child.end): the outcome printed as the interpreter prints it, the status from SystemExit.
_DEEP = textwrap.dedent('''\
    import os, sys
    sys.path.append(%(source)r)
    from jinn import _bottom, _ending, _runner

    def end(outcome):
        status = 0
        if isinstance(outcome, SystemExit):
            status = _ending.system_exit_status(outcome)
        elif outcome is not None:
            _ending.print_uncaught(outcome)
            status = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)

    def deep(depth):
        if depth:
            try:
                deep(depth - 1)
            finally:
                if depth == %(interrupted_at)d:
                    raise KeyboardInterrupt  # as Ctrl-C would, on the way up
            return
        sys.argv[:] = [%(path)r]
        entry = _runner.prepare_entry("script", %(path)r, [%(path)r], os.getcwd())
        _bottom.unwind(entry, end)

    deep(12)
    ''')

_STACK = textwrap.dedent('''\
    import sys, traceback
    traceback.print_stack()
    frame, depth = sys._getframe(), 0
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    print("frames", depth)

    def recurse(depth):
        try:
            return recurse(depth + 1)
        except RecursionError:
            return depth

    print("deepest", recurse(0))
    print("last", [name for name in ("last_type", "last_value", "last_traceback") if hasattr(sys, name)])
    ''')


class BottomTests(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp()
        self.addCleanup(__import__("shutil").rmtree, self.directory)

    def run_both(self, source, interrupted_at=-1):
        path = os.path.join(self.directory, "program.py")
        with open(path, "w") as file:
            file.write(source)
        python3 = subprocess.run([sys.executable, path], capture_output=True, text=True, cwd=self.directory)
        code = _DEEP % {"source": support.SOURCE, "path": path, "interrupted_at": interrupted_at}
        deep = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=self.directory)
        return python3, deep

    def assertSame(self, python3, deep):
        self.assertEqual((deep.returncode, deep.stdout, deep.stderr),
                         (python3.returncode, python3.stdout, python3.stderr))

    def test_the_program_has_no_frame_below_its_own(self):
        python3, deep = self.run_both(_STACK)
        if sys.version_info < (3, 12):
            # One built-in call stays between the interpreter and the program, which these versions count.
            self.assertIn("deepest %d\n" % (int(python3.stdout.split("deepest ")[1].split()[0]) - 1), deep.stdout)
            python3.stdout = python3.stdout.split("deepest")[0]
            deep.stdout = deep.stdout.split("deepest")[0]
        self.assertIn("frames 1\n", deep.stdout)
        self.assertSame(python3, deep)

    def test_an_exception_is_printed_with_the_programs_frames_only(self):
        self.assertSame(*self.run_both("def fail():\n    raise ValueError('no')\n\nfail()\n"))

    def test_system_exit_gives_the_status(self):
        self.assertSame(*self.run_both("print('leaving')\nraise SystemExit(7)\n"))
        self.assertSame(*self.run_both("import sys\nsys.exit('a message')\n"))

    def test_stop_iteration_from_the_program_is_printed(self):
        self.assertSame(*self.run_both("next(iter(()))\n"))

    def test_the_end_is_reached_though_the_program_replaced_the_unraisable_hook(self):
        source = "import sys\nsys.unraisablehook = lambda hook: print('the program hook', hook.exc_type)\n"
        self.assertSame(*self.run_both(source + "raise SystemExit(3)\n"))
        self.assertSame(*self.run_both(source + "print('returned')\n"))
        self.assertSame(*self.run_both(source + "raise KeyError('k')\n"))

    def test_an_interrupt_while_the_child_unwinds_ends_the_run_before_its_program(self):
        _, deep = self.run_both("print('the program ran')\n", interrupted_at=5)
        self.assertEqual((deep.returncode, deep.stdout, deep.stderr), (1, "", "KeyboardInterrupt\n"))

    def test_a_program_that_returns_ends_with_status_0(self):
        self.assertSame(*self.run_both("print('done')\n"))


if __name__ == "__main__":
    unittest.main()
