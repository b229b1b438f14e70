"""Unit tests of how a zygote's run ends: its exit status and what interpreter shutdown does."""

import io
import sys
import unittest

import support  # noqa: F401  (puts the embedded package on sys.path)
from jinn import _ending, _runner


class ExitStatusTests(unittest.TestCase):
    def status(self, *args):
        errors = io.StringIO()
        saved, sys.stderr = sys.stderr, errors
        try:
            return _ending.system_exit_status(SystemExit(*args)), errors.getvalue()
        finally:
            sys.stderr = saved

    def test_codes_as_the_interpreter_reads_them(self):
        self.assertEqual(self.status(), (0, ""))
        self.assertEqual(self.status(None), (0, ""))
        self.assertEqual(self.status(3), (3, ""))
        self.assertEqual(self.status(256 + 7), (7, ""))
        self.assertEqual(self.status(True), (1, ""))

    def test_other_codes_are_printed_and_give_status_1(self):
        self.assertEqual(self.status("goodbye"), (1, "goodbye\n"))
        self.assertEqual(self.status(1, 2), (1, "(1, 2)\n"))


class FinishTests(unittest.TestCase):
    def setUp(self):
        # finish() releases __main__'s names; give it one of its own instead of the test runner's.
        self.main = sys.modules["__main__"]
        sys.modules["__main__"] = _runner.main_module()
        self.addCleanup(sys.modules.__setitem__, "__main__", self.main)

    def test_atexit_runs_and_the_status_stands(self):
        import atexit

        calls = []
        atexit.register(calls.append, "ran")
        try:
            self.assertEqual(_ending.finish(4, frozenset(sys.modules), None), 4)
        finally:
            atexit.unregister(calls.append)
        self.assertEqual(calls, ["ran"])

    def test_a_failed_flush_of_stdout_gives_status_120(self):
        class Broken(io.StringIO):
            def flush(self):
                raise BrokenPipeError(32, "Broken pipe")

        reports = []
        saved_out, saved_hook = sys.stdout, sys.unraisablehook
        sys.stdout, sys.unraisablehook = Broken(), reports.append
        try:
            status = _ending.finish(0, frozenset(sys.modules), None)
        finally:
            sys.stdout, sys.unraisablehook = saved_out, saved_hook
        self.assertEqual(status, 120)
        self.assertIsInstance(reports[0].exc_value, BrokenPipeError)


if __name__ == "__main__":
    unittest.main()
