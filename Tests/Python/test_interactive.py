"""Unit tests of a run's interactive interpreter (jinn._interactive): what python3's start-up does before its
interactive loop, and the loop itself on a pseudo-terminal against python3's."""

import io
import os
import pty
import select
import sys
import tempfile
import textwrap
import time
import types
import unittest
from unittest import mock

import support
from jinn import _interactive

_SERVE = textwrap.dedent('''\
    import sys
    sys.path.append(%r)
    from jinn import _interactive, _runner
    sys.argv[:] = [""]
    main = _runner.main_module()
    sys.modules["__main__"] = main
    _interactive.session(main)()
    ''') % support.SOURCE


def _session(command, lines):
    """What a terminal shows of ``command`` given ``lines``, each typed once a prompt is shown, and its status."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execv(command[0], command)
    seen, start, deadline = b"", 0, time.monotonic() + 60

    def read():
        nonlocal seen
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise TimeoutError(seen)
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        seen += chunk
        return chunk

    done = False
    try:
        for line in lines:
            while seen.find(b">>> ", start) < 0 and seen.find(b"... ", start) < 0:
                if not read():
                    raise EOFError(seen)
            os.write(fd, line)
            start = len(seen)
        while read():
            pass
        done = True
    finally:
        if not done:
            os.kill(pid, 9)  # a session that did not go as typed must not be waited for forever
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return seen, os.waitstatus_to_exitcode(status)


class BeforeTheLoopTests(unittest.TestCase):
    def test_the_startup_file_runs_in_main_without_leaving_its_file_behind(self):
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as file:
            file.write("started = __file__\n")
        self.addCleanup(os.unlink, file.name)
        main = types.ModuleType("__main__")
        with mock.patch.dict(os.environ, {"PYTHONSTARTUP": file.name}):
            _interactive.run_startup_file(main)
        self.assertEqual(main.started, file.name)
        self.assertFalse(hasattr(main, "__file__"))

    def test_a_failing_startup_file_or_hook_is_reported_and_the_session_goes_on(self):
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as file:
            file.write("raise ValueError('in the startup file')\n")
        self.addCleanup(os.unlink, file.name)
        stderr = io.StringIO()
        hooks = []
        with mock.patch.dict(os.environ, {"PYTHONSTARTUP": file.name}), mock.patch.object(sys, "stderr", stderr), \
                mock.patch.object(sys, "excepthook", lambda *exc: hooks.append(exc[1])), \
                mock.patch.object(sys, "__interactivehook__", lambda: 1 / 0, create=True):
            _interactive.run_startup_file(types.ModuleType("__main__"))
            _interactive.run_interactive_hook()
        self.assertEqual([type(error) for error in hooks], [ValueError, ZeroDivisionError])
        self.assertEqual(stderr.getvalue(), "Failed calling sys.__interactivehook__\n")


class LoopTests(unittest.TestCase):
    def test_the_loop_on_a_terminal_is_python3s(self):
        # Each line is typed at a prompt (the blank one ends the definition at "... ").
        lines = [b"print(6*7)\n", b"def f(): return 1 / 0\n", b"\n", b"f()\n", b"import sys; print(sys.argv)\n",
                 b"exit(3)\n"]
        expected = _session([sys.executable], lines)
        actual = _session([sys.executable, "-c", _SERVE], lines)
        self.assertEqual(actual, expected)
        self.assertEqual(expected[1], 3)
        self.assertIn(b'File "<stdin>", line 1, in f', expected[0])


if __name__ == "__main__":
    unittest.main()
