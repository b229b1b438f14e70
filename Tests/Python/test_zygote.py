"""Unit tests of the zygote's pure helpers (the forking loop is tested end to end by the Swift suite)."""

import io
import os
import sys
import tempfile
import unittest

import support  # noqa: F401  (puts the embedded package on sys.path)
from jinn import _zygote


class PathTests(unittest.TestCase):
    def test_relative_paths_are_joined_not_normalized(self):
        self.assertEqual(_zygote.absolute_path("./t.py", "/tmp/x"), "/tmp/x/./t.py")
        self.assertEqual(_zygote.absolute_path("a/../t.py", "/w"), "/w/a/../t.py")

    def test_absolute_paths_stay(self):
        self.assertEqual(_zygote.absolute_path("/abs/t.py", "/tmp"), "/abs/t.py")


class EnvironmentTests(unittest.TestCase):
    def test_items_split_at_the_first_equals_sign(self):
        env = _zygote.environment_from([b"A=1", b"B=x=y", b"EMPTY=", b"NOEQUALS", b"=odd"])
        self.assertEqual(env, {b"A": b"1", b"B": b"x=y", b"EMPTY": b""})

    def test_the_first_of_duplicate_names_wins_as_getenv_does(self):
        self.assertEqual(_zygote.environment_from([b"A=1", b"A=2"]), {b"A": b"1"})

    def test_bytes_that_are_not_utf8_survive(self):
        self.assertEqual(_zygote.environment_from([b"P=\xff\xfe"]), {b"P": b"\xff\xfe"})


class ReplaceEnvironmentTests(unittest.TestCase):
    def setUp(self):
        saved = dict(os.environb)
        self.addCleanup(_zygote.replace_environment, saved)

    def test_the_environment_becomes_exactly_the_given_one(self):
        import ctypes

        os.environb[b"JINN_TEST_GOES"] = b"1"
        os.environb[b"JINN_TEST_CHANGES"] = b"old"
        wanted = dict(os.environb)
        del wanted[b"JINN_TEST_GOES"]
        wanted[b"JINN_TEST_CHANGES"] = b"new"
        wanted[b"JINN_TEST_ARRIVES"] = b"\xff"
        _zygote.replace_environment(wanted)
        self.assertEqual(dict(os.environb), wanted)
        # The C environment too: what a subprocess or a C extension sees.
        getenv = ctypes.CDLL(None).getenv
        getenv.restype = ctypes.c_char_p
        self.assertIsNone(getenv(b"JINN_TEST_GOES"))
        self.assertEqual(getenv(b"JINN_TEST_CHANGES"), b"new")
        self.assertEqual(getenv(b"JINN_TEST_ARRIVES"), b"\xff")


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
            _zygote.prepare_spare()
            after = (list(sys.argv), getattr(sys, "orig_argv", None), sys.path[0], sys.modules["__main__"],
                     dict(os.environb), os.getcwd(), sys.stdout, random.getstate())
            return [b is a or b == a for b, a in zip(before, after)]

        # Everything stays but the random state, which each spare reseeds.
        self.assertEqual(self.in_child(check), repr([True] * 7 + [False]))

    def test_two_spares_draw_different_numbers(self):
        def draw():
            import random

            _zygote.prepare_spare()
            return random.random()

        self.assertNotEqual(self.in_child(draw), self.in_child(draw))


class StatusTests(unittest.TestCase):
    def test_wait_statuses(self):
        self.assertEqual(_zygote.describe_status(0), ("exited", 0))
        self.assertEqual(_zygote.describe_status(3 << 8), ("exited", 3))
        self.assertEqual(_zygote.describe_status(15), ("signaled", 15))


class MainModuleTests(unittest.TestCase):
    def test_script_main_has_the_attributes_python_gives_it(self):
        module = _zygote.main_module(loader="L", file="/x/t.py")
        names = sorted(name for name in vars(module))
        self.assertEqual(names, ["__annotations__", "__builtins__", "__cached__", "__doc__", "__file__",
                                 "__loader__", "__name__", "__package__", "__spec__"])
        self.assertEqual(module.__name__, "__main__")
        self.assertIsNone(module.__cached__)
        self.assertIsNone(module.__spec__)

    def test_code_main_has_no_file(self):
        module = _zygote.main_module(loader="L")
        self.assertFalse(hasattr(module, "__file__"))


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
        return _zygote.make_stdio(fd, write, "utf-8", "strict", buffered)

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


class TracebackTests(unittest.TestCase):
    def test_frames_up_to_the_boundary_are_dropped(self):
        def boundary():
            inner()

        def inner():
            raise ValueError("x")

        try:
            boundary()
        except ValueError as error:
            tb = error.__traceback__
        trimmed = _zygote.trim_traceback(tb, boundary.__code__)
        self.assertEqual(trimmed.tb_frame.f_code, inner.__code__)

    def test_a_traceback_without_the_boundary_is_unchanged(self):
        try:
            raise ValueError("x")
        except ValueError as error:
            tb = error.__traceback__
        self.assertIs(_zygote.trim_traceback(tb, _zygote.main_module.__code__), tb)


class ExitStatusTests(unittest.TestCase):
    def status(self, *args):
        errors = io.StringIO()
        saved, sys.stderr = sys.stderr, errors
        try:
            return _zygote.system_exit_status(SystemExit(*args)), errors.getvalue()
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
        sys.modules["__main__"] = _zygote.main_module()
        self.addCleanup(sys.modules.__setitem__, "__main__", self.main)

    def test_atexit_runs_and_the_status_stands(self):
        import atexit

        calls = []
        atexit.register(calls.append, "ran")
        try:
            self.assertEqual(_zygote.finish(4, frozenset(sys.modules)), 4)
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
            status = _zygote.finish(0, frozenset(sys.modules))
        finally:
            sys.stdout, sys.unraisablehook = saved_out, saved_hook
        self.assertEqual(status, 120)
        self.assertIsInstance(reports[0].exc_value, BrokenPipeError)


class PreloadTests(unittest.TestCase):
    def test_failures_are_reported_not_raised(self):
        errors = io.StringIO()
        loaded, failed = _zygote.preload(["json", "no_such_module_here"], errors)
        self.assertEqual(loaded, ["json"])
        self.assertEqual(failed[0][0], "no_such_module_here")
        self.assertIn("ModuleNotFoundError", failed[0][1])
        self.assertIn("cannot preload no_such_module_here", errors.getvalue())

    def test_watched_files_include_the_interpreter_and_preloaded_files(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "watched_module_for_test.py")
            with open(path, "w") as file:
                file.write("X = 1\n")
            sys.path.insert(0, directory)
            try:
                loaded, _ = _zygote.preload(["watched_module_for_test"])
                watched = {item[0]: item for item in _zygote.watched_files(loaded)}
            finally:
                sys.path.remove(directory)
                sys.modules.pop("watched_module_for_test", None)
            self.assertIn(sys.executable, watched)
            self.assertIn(path, watched)
            info = os.stat(path)
            self.assertEqual(watched[path][1:], (info.st_mtime_ns, info.st_size, info.st_ino))


if __name__ == "__main__":
    unittest.main()
