"""What an uncaught exception prints on stderr when the program is held in memory (``jinn exec DIR``): the same
text as ``python3`` prints for the same program on disk, source lines included, without Jinn's frames."""

import contextlib
import importlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
import unittest

import support  # noqa: F401  (puts the jinn sources on the path)

import memory_program
from jinn import _errors
from jinn._importer import MemoryFinder

DEEP = '''"""A module three levels down."""


def explode(values, index):
    return values[index] + 1


def wrap():
    try:
        explode([1, 2], 5)
    except IndexError as error:
        raise LookupError("wrapped") from error


def during():
    try:
        {}["key"]
    except KeyError:
        return 1 / 0
'''

MAIN = '''import sys


def main(mode):
    if mode == "chain":
        from pkg.sub import deep
        deep.wrap()
    elif mode == "during":
        from pkg.sub import deep
        deep.during()
    elif mode == "syntax":
        import pkg.broken
    elif mode == "import":
        import pkg.failing
    else:
        from pkg.sub import deep
        deep.explode([1, 2, 3], 7)


main(sys.argv[1])
'''

PROGRAM = {
    "__main__": MAIN,
    "pkg.__init__": "",
    "pkg.sub.__init__": "",
    "pkg.sub.deep": DEEP,
    "pkg.broken": "x = 1\nif x:\n    y = (1,\n",
    "pkg.failing": "from pkg.sub import deep\n\nVALUE = deep.explode([], 0)\n",
}


def _write_on_disk(directory, modules):
    for name, source in modules.items():
        parts = name.split(".")
        path = os.path.join(directory, *parts) + ".py"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as file:
            file.write(source)


class ProgramInMemoryTests(unittest.TestCase):
    """Runs the program through the real bootstrap, and the same files with python3."""

    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.mkdtemp()
        _write_on_disk(cls.directory, PROGRAM)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.directory)

    def on_disk(self, mode):
        """What python3 prints for the program on disk, its files named as the program's finder names them."""
        process = subprocess.run([sys.executable, os.path.join(self.directory, "__main__.py"), mode],
                                 stdin=subprocess.DEVNULL, capture_output=True, text=True)
        self.assertEqual(process.returncode, 1, process.stderr)
        return process.stderr.replace(self.directory + os.sep, "<jinn>/")

    def in_memory(self, mode):
        status, stderr, messages = memory_program.run(PROGRAM, argv=["<jinn>/__main__.py", mode])
        self.assertEqual(status, 1, stderr)
        reports = [message[1] for message in messages if message[0] == "exception"]
        self.assertEqual(len(reports), 1, messages)
        return stderr, reports[0]

    def test_frames_show_their_source_lines_and_carets(self):
        stderr, report = self.in_memory("plain")
        self.assertIn('  File "<jinn>/pkg/sub/deep.py", line 5, in explode\n'
                      '    return values[index] + 1\n', stderr)
        self.assertEqual(stderr, self.on_disk("plain"))
        self.assertEqual(report["traceback"], stderr)

    def test_a_direct_cause_is_printed_as_python3_prints_it(self):
        stderr, _ = self.in_memory("chain")
        self.assertIn("The above exception was the direct cause of the following exception:", stderr)
        self.assertIn('    raise LookupError("wrapped") from error\n', stderr)
        self.assertEqual(stderr, self.on_disk("chain"))

    def test_an_exception_during_handling_is_printed_as_python3_prints_it(self):
        stderr, _ = self.in_memory("during")
        self.assertIn("During handling of the above exception, another exception occurred:", stderr)
        self.assertEqual(stderr, self.on_disk("during"))

    def test_a_syntax_error_in_an_imported_module_is_printed_as_python3_prints_it(self):
        stderr, report = self.in_memory("syntax")
        self.assertIn('  File "<jinn>/pkg/broken.py", line 3\n    y = (1,\n', stderr)
        self.assertEqual(stderr, self.on_disk("syntax"))
        self.assertEqual(report["syntax"][:2], ("<jinn>/pkg/broken.py", 3))

    def test_the_import_system_frames_that_lead_into_a_module_are_left_out_as_for_a_file(self):
        stderr, _ = self.in_memory("import")
        self.assertNotIn("<frozen importlib", stderr)
        self.assertEqual(stderr, self.on_disk("import"))

    def test_a_syntax_error_in_the_main_module_shows_no_bootstrap_frame(self):
        program = {"__main__": "x = 1\nprint(x +* 2)\n"}
        status, stderr, _ = memory_program.run(program)
        self.assertEqual(status, 1)
        directory = tempfile.mkdtemp()
        try:
            _write_on_disk(directory, program)
            expected = subprocess.run([sys.executable, os.path.join(directory, "__main__.py")],
                                      capture_output=True, text=True).stderr
        finally:
            shutil.rmtree(directory)
        self.assertEqual(stderr, expected.replace(directory + os.sep, "<jinn>/"))
        self.assertTrue(stderr.startswith('  File "<jinn>/__main__.py", line 2\n    print(x +* 2)\n'), stderr)

    def test_code_run_with_c_prints_as_python3_c_does(self):
        source = "def f():\n    raise KeyError('x')\nf()\n"
        status, stderr, _ = memory_program.run({}, entry=("code", source))
        self.assertEqual(status, 1)
        expected = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True).stderr
        self.assertEqual(stderr, expected)

    def test_a_swift_error_that_ends_the_program_shows_no_jinn_frame(self):
        source = ('import jinn\n\n\ndef main():\n    jinn.call("fails", 1)\n\n\nmain()\n')

        def fails(value):
            raise RuntimeError("the Swift side said no")

        status, stderr, messages = memory_program.run({"__main__": source}, handlers={"fails": fails})
        self.assertEqual(status, 1)
        self.assertEqual(_without_carets(stderr), 'Traceback (most recent call last):\n'
                                 '  File "<jinn>/__main__.py", line 8, in <module>\n'
                                 '    main()\n'
                                 '  File "<jinn>/__main__.py", line 5, in main\n'
                                 '    jinn.call("fails", 1)\n'
                                 'jinn.SwiftError: the Swift side said no\n')
        report = [message[1] for message in messages if message[0] == "exception"][0]
        self.assertEqual(report["type"], "jinn.SwiftError")
        self.assertEqual(report["frames"], [("<jinn>/__main__.py", 8, "<module>", "main()"),
                                            ("<jinn>/__main__.py", 5, "main", 'jinn.call("fails", 1)')])
        self.assertEqual(report["traceback"], stderr)

    def test_the_chain_of_an_uncaught_swift_error_shows_no_jinn_frame(self):
        source = ('import jinn\n\ntry:\n    jinn.call("fails", 1)\nexcept jinn.SwiftError as error:\n'
                  '    raise ValueError("no luck") from error\n')

        def fails(value):
            raise RuntimeError("the Swift side said no")

        status, stderr, messages = memory_program.run({"__main__": source}, handlers={"fails": fails})
        self.assertEqual(status, 1)
        self.assertNotIn("<jinn>/jinn/", stderr)
        self.assertIn('  File "<jinn>/__main__.py", line 4, in <module>\n    jinn.call("fails", 1)\n'
                      'jinn.SwiftError: the Swift side said no\n\nThe above exception', _without_carets(stderr))
        report = [message[1] for message in messages if message[0] == "exception"][0]
        self.assertEqual(report["cause"]["frames"], [("<jinn>/__main__.py", 4, "<module>", 'jinn.call("fails", 1)')])
        self.assertNotIn("<jinn>/jinn/", report["cause"]["traceback"])


THREADED = {
    "__main__": "import threading\n\nimport worker\n\n"
                "thread = threading.Thread(target=worker.explode, args=([1, 2], 5), name='worker')\n"
                "thread.start()\nthread.join()\n"
                "threading.Thread(target=worker.wrap).start()\n",
    "worker": DEEP,
}


class ThreadTests(unittest.TestCase):
    """An uncaught exception in a thread of a program held in memory prints as python3 prints it for the same
    files on disk: the header, the threading module's frames, the program's frames with their source lines."""

    def test_thread_exceptions_print_their_source_lines(self):
        status, stderr, _ = memory_program.run(THREADED)
        self.assertEqual(status, 0, stderr)
        directory = tempfile.mkdtemp()
        try:
            _write_on_disk(directory, THREADED)
            expected = subprocess.run([sys.executable, os.path.join(directory, "__main__.py")],
                                      stdin=subprocess.DEVNULL, capture_output=True, text=True).stderr
        finally:
            shutil.rmtree(directory)
        self.assertIn("Exception in thread worker:\nTraceback (most recent call last):\n", stderr)
        self.assertIn('  File "<jinn>/worker.py", line 5, in explode\n    return values[index] + 1\n', stderr)
        self.assertIn("The above exception was the direct cause of the following exception:", stderr)
        self.assertNotIn("<jinn>/jinn/", stderr)
        self.assertEqual(stderr, expected.replace(directory + os.sep, "<jinn>/"))


class ThreadHookTests(unittest.TestCase):
    """The thread hook in this process: installed where threading takes it from, and removed again."""

    def setUp(self):
        import threading

        self.original = threading.excepthook
        self.addCleanup(_errors.restore_thread_excepthook)

    def test_the_hook_is_installed_and_restored(self):
        import _thread
        import threading

        _errors.install_thread_excepthook()
        self.assertIsNot(threading.excepthook, self.original)
        self.assertIs(_thread._excepthook, threading.excepthook)
        finder = MemoryFinder([("thread_hook_module", "<jinn>/thread_hook_module.py", DEEP, False)])
        sys.meta_path.insert(0, finder)
        try:
            module = importlib.import_module("thread_hook_module")
        finally:
            sys.meta_path.remove(finder)
            sys.modules.pop("thread_hook_module", None)
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            thread = threading.Thread(target=module.explode, args=([], 1), name="probe")
            thread.start()
            thread.join()
            exiting = threading.Thread(target=sys.exit, args=(3,))  # SystemExit ends a thread silently
            exiting.start()
            exiting.join()
        self.assertTrue(stderr.getvalue().startswith("Exception in thread probe:\nTraceback (most recent call"))
        self.assertIn('  File "<jinn>/thread_hook_module.py", line 5, in explode\n    return values[index] + 1\n',
                      stderr.getvalue())
        self.assertTrue(stderr.getvalue().endswith("IndexError: list index out of range\n"))
        _errors.restore_thread_excepthook()
        self.assertIs(threading.excepthook, self.original)
        self.assertIs(_thread._excepthook, self.original)


class ExceptHookTests(unittest.TestCase):
    """The hook in this process, for a module held in memory, against the traceback module and the same module
    imported from a file."""

    def setUp(self):
        self.saved_hook = sys.excepthook
        self.addCleanup(setattr, sys, "excepthook", self.saved_hook)
        sys.excepthook = sys.__excepthook__
        _errors.install_excepthook()

    def tearDown(self):
        for name in [name for name in sys.modules if name.startswith("hook_pkg")]:
            del sys.modules[name]

    def raise_from(self, module):
        try:
            _call_wrap(module)
        except LookupError as error:
            return error

    def printed(self, error):
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            sys.excepthook(type(error), error, error.__traceback__)
        return stderr.getvalue()

    def test_the_hook_prints_source_lines_of_modules_held_in_memory(self):
        finder = MemoryFinder([
            ("hook_pkg", "<jinn>/hook_pkg/__init__.py", "", True),
            ("hook_pkg.deep", "<jinn>/hook_pkg/deep.py", DEEP, False),
        ])
        sys.meta_path.insert(0, finder)
        try:
            from_memory = self.printed(self.raise_from(importlib.import_module("hook_pkg.deep")))
        finally:
            sys.meta_path.remove(finder)
        del sys.modules["hook_pkg"], sys.modules["hook_pkg.deep"]
        directory = tempfile.mkdtemp()
        sys.path.insert(0, directory)
        try:
            _write_on_disk(directory, {"hook_pkg.__init__": "", "hook_pkg.deep": DEEP})
            error = self.raise_from(importlib.import_module("hook_pkg.deep"))
            on_disk = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        finally:
            sys.path.remove(directory)
            shutil.rmtree(directory)
        self.assertIn('  File "<jinn>/hook_pkg/deep.py", line 5, in explode\n'
                      '    return values[index] + 1\n'
                      '           ~~~~~~^^^^^^^\n' if sys.version_info >= (3, 11) else
                      '  File "<jinn>/hook_pkg/deep.py", line 5, in explode\n'
                      '    return values[index] + 1\n', from_memory)
        self.assertEqual(from_memory, on_disk.replace(directory + os.sep, "<jinn>/"))

    def test_a_hook_installed_before_is_still_called(self):
        seen = []
        sys.excepthook = lambda kind, value, tb: seen.append(kind)
        _errors.install_excepthook()
        sys.excepthook(KeyError, KeyError("k"), None)
        self.assertEqual(seen, [KeyError])


def _without_carets(text):
    # Which lines get carets under them depends on the Python version (3.13 marks whole-line calls too).
    return "".join(line for line in text.splitlines(True) if not line.strip() or line.strip(" ~^\n"))


def _call_wrap(module):
    return module.wrap()


if __name__ == "__main__":
    unittest.main()
