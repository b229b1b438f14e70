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


def in_child(function):
    """Runs ``function`` in a forked child, as a run's end runs in a zygote's child (finish tears the import
    system's state down); returns what it returned (a marshal value)."""
    import marshal
    import os

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
    data = b""
    while True:
        chunk = os.read(reader, 65536)
        if not chunk:
            break
        data += chunk
    os.close(reader)
    os.waitpid(pid, 0)
    return marshal.loads(data)


def run_main(source):
    """Makes a fresh ``__main__`` that ran ``source``, as a run's script does."""
    module = _runner.main_module()
    sys.modules["__main__"] = module
    exec(compile(source, "<script>", "exec"), module.__dict__)
    return module


class FinishTests(unittest.TestCase):
    def test_atexit_runs_and_the_status_stands(self):
        def child():
            import atexit

            startup = frozenset(sys.modules)
            calls = []
            atexit.register(calls.append, "ran")
            run_main("")
            return _ending.finish(4, startup, None), calls

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
            status = _ending.finish(0, startup, None)
            return status, type(reports[0].exc_value).__name__, reports[0].exc_traceback is None

        self.assertEqual(in_child(child), (120, "BrokenPipeError", True))

    def finalized(self, source):
        def child():
            import gc

            startup = frozenset(sys.modules)
            main = run_main("import os, gc, weakref\nseen = []\n" + source)
            seen = main.__dict__["seen"]
            del main  # nothing but sys.modules holds a run's __main__
            status = _ending.finish(0, startup, None)
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

    def test_a_module_of_the_zygote_under_another_name_is_left_alone(self):
        def child():
            import builtins

            startup = frozenset(sys.modules)
            _finalization.prepare()
            run_main("import sys, builtins\nsys.modules['a'] = builtins\nsys.modules['b'] = object()\n")
            status = _ending.finish(0, startup, None)
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
            _ending.finish(0, startup, None)
            return order

        self.assertEqual(in_child(child), ["second_of_run", "first_of_run"])


if __name__ == "__main__":
    unittest.main()
