"""Unit tests of how a zygote's run ends: its exit status and what interpreter shutdown does."""

import io
import sys
import unittest

import support  # noqa: F401  (puts the embedded package on sys.path)
from jinn import _ending, _finalization, _runner


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


def in_child(function, timeout=60):
    """Runs ``function`` in a forked child, as a run's end runs in a zygote's child (finish tears the import
    system's state down); returns what it returned (a marshal value), or a failure's text. A child that has not
    answered within ``timeout`` seconds is killed."""
    import marshal
    import os
    import select
    import signal
    import time

    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        try:
            result = function()
        except BaseException as error:  # the test fails with the child's error
            result = "child failed: %r" % (error,)
        os.write(writer, marshal.dumps(result))
        os._exit(0)
    os.close(writer)
    data, deadline = b"", time.monotonic() + timeout
    try:
        while True:
            ready, _, _ = select.select([reader], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                return "the child did not answer within %s s" % timeout
            chunk = os.read(reader, 65536)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(reader)
        os.waitpid(pid, 0)
    return marshal.loads(data)


def run_main(source):
    """Makes a fresh ``__main__`` that ran ``source``, as a run's script does."""
    module = _runner.main_module()
    sys.modules["__main__"] = module
    exec(compile(source, "<script>", "exec"), module.__dict__)
    return module


def end_run(status, startup):
    """What a run's end does: the exit calls (made here, not from C), then the rest of the shutdown."""
    for call, owner in _ending.exit_calls():
        _ending.shut_down(call, owner)
    return _ending.finish(status, startup, None)


class ExitCallTests(unittest.TestCase):
    def test_threading_shutdown_is_called_from_c_only_when_it_runs_the_programs_code(self):
        def child():
            import atexit
            import threading

            atexit._clear()
            alone = [owner.__name__ for _, owner in _ending.exit_calls()]
            # The worker is left waiting: the child leaves with os._exit.
            threading.Thread(target=threading.Event().wait, args=(30,)).start()
            atexit.register(print)
            calls = _ending.exit_calls()
            atexit._clear()
            return alone, [(call.__name__, owner.__name__) for call, owner in calls]

        self.assertEqual(in_child(child), ([], [("_shutdown", "threading"), ("_run_exitfuncs", "atexit")]))

    def test_an_interrupt_while_threads_are_joined_is_reported_as_in_the_threading_module(self):
        def child():
            import os
            import signal
            import threading
            import time

            def interrupt(*_):
                raise KeyboardInterrupt

            def interrupt_the_join():
                while threading.main_thread().is_alive():  # until the shutdown has begun
                    time.sleep(0.01)
                time.sleep(0.05)  # and has come to the join
                os.kill(os.getpid(), signal.SIGINT)

            threading.Thread(target=threading.Event().wait, args=(30,)).start()  # left waiting, as above
            threading.Thread(target=interrupt_the_join, daemon=True).start()
            reports = []
            sys.unraisablehook = reports.append
            signal.signal(signal.SIGINT, interrupt)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])  # whatever the test runner blocks
            calls = _ending.exit_calls()
            for call, owner in calls:
                _ending.shut_down(call, owner)
            if not reports:
                return "nothing reported; the calls were %r" % (calls,)
            report = reports[0]
            frames = []
            tb = report.exc_traceback
            while tb is not None:
                frames.append(tb.tb_frame.f_code.co_name)
                tb = tb.tb_next
            return type(report.exc_value).__name__, getattr(report.object, "__name__", None), frames, len(reports)

        # The traceback is python3's: the join, then the signal handler, and no frame of the caller's. From 3.13 on,
        # the join is C code's, which reports the failure itself, in no object, from the handler's frame down.
        if sys.version_info < (3, 13):
            expected = ("KeyboardInterrupt", "threading", ["_shutdown", "interrupt"], 1)
        else:
            expected = ("KeyboardInterrupt", None, ["interrupt"], 1)
        self.assertEqual(in_child(child), expected)


class FinishTests(unittest.TestCase):
    def test_atexit_runs_and_the_status_stands(self):
        def child():
            import atexit

            startup = frozenset(sys.modules)
            calls = []
            atexit.register(calls.append, "ran")
            run_main("")
            return end_run(4, startup), calls

        self.assertEqual(in_child(child), (4, ["ran"]))

    def test_a_failed_flush_of_stdout_gives_status_120(self):
        def child():
            class Broken(io.StringIO):
                def flush(self):
                    raise BrokenPipeError(32, "Broken pipe")

            reports = []
            startup = frozenset(sys.modules)
            sys.stdout = sys.__stdout__ = Broken()
            sys.unraisablehook = reports.append
            status = end_run(0, startup)
            return status, type(reports[0].exc_value).__name__, reports[0].exc_traceback is None

        self.assertEqual(in_child(child), (120, "BrokenPipeError", True))

    def finalized(self, source):
        def child():
            import gc

            startup = frozenset(sys.modules)
            main = run_main("import os, gc, weakref\nseen = []\n" + source)
            seen = main.__dict__["seen"]
            del main  # nothing but sys.modules holds a run's __main__
            status = end_run(0, startup)
            gc.callbacks[:] = []
            return status, sorted(set(seen))

        return in_child(child)

    def test_a_del_method_of_the_scripts_cycle_sees_its_globals_intact(self):
        source = ("class Temporary:\n"
                  "    def __del__(self):\n"
                  "        seen.append(('del', os.path.basename('/a/b')))\n"
                  "t = Temporary(); t.cycle = t\n")
        self.assertEqual(self.finalized(source), (0, [("del", "b")]))

    def test_gc_callbacks_and_weakref_finalizers_see_globals_intact(self):
        source = ("def on_gc(phase, info):\n"
                  "    if phase == 'stop': seen.append(('gc', os.sep))\n"
                  "gc.callbacks.append(on_gc)\n"
                  "class Holder: pass\n"
                  "h = Holder(); h.cycle = h\n"
                  "weakref.finalize(h, lambda: seen.append(('finalize', os.curdir)))\n")
        self.assertEqual(self.finalized(source), (0, [("finalize", "."), ("gc", "/")]))

    def test_an_import_in_a_finalizer_fails_as_under_python3_even_of_a_module_still_loaded(self):
        source = ("class Imports:\n"
                  "    def __del__(self):\n"
                  "        for name in ('os', 'no_such_module'):\n"
                  "            try:\n"
                  "                __import__(name)\n"
                  "            except ImportError as error:\n"
                  "                seen.append((name, str(error), error.__traceback__.tb_next is None))\n"
                  "i = Imports(); i.cycle = i\n")
        message = "sys.meta_path is None, Python is likely shutting down"
        self.assertEqual(self.finalized(source), (0, [("no_such_module", message, True), ("os", message, True)]))

    def test_imports_work_again_once_the_finalizers_have_run(self):
        def child():
            startup = frozenset(sys.modules)
            run_main("")
            end_run(0, startup)
            import os as again

            return again.sep

        self.assertEqual(in_child(child), "/")

    def test_a_module_of_the_zygote_under_another_name_is_left_alone(self):
        def child():
            import builtins

            startup = frozenset(sys.modules)
            _finalization.prepare()
            run_main("import sys, builtins\nsys.modules['a'] = builtins\nsys.modules['b'] = object()\n")
            status = end_run(0, startup)
            return status, builtins.len([1, 2]), "a" in sys.modules

        self.assertEqual(in_child(child), (0, 2, False))

    def test_the_runs_own_modules_are_cleared_newest_first(self):
        def child():
            import types

            startup = frozenset(sys.modules)
            order, alive = [], []  # alive: something outside keeps the modules after sys.modules lets them go
            for name in ("first_of_run", "second_of_run"):
                module = types.ModuleType(name)
                exec("class Witness:\n def __del__(self): record.append(name)\nwitness = Witness()",
                     module.__dict__)
                module.__dict__.update(name=name, record=order)
                sys.modules[name] = module
                alive.append(module)
            module = None
            run_main("")
            end_run(0, startup)
            return order

        self.assertEqual(in_child(child), ["second_of_run", "first_of_run"])


if __name__ == "__main__":
    unittest.main()
