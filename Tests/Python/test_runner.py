"""``jinn._runner``: an entry point runs as ``python3`` runs it, on both of Jinn's paths.

Each case runs three ways from the same working directory and must print the same bytes and end with the same
status: under ``python3`` itself; through ``run_entry`` in an interpreter started with ``-c``, reporting an
uncaught exception as the zygote's child does (``jinn x.py``); and through the real in-memory bootstrap (``jinn
exec x.py``, ``PythonProgram.script``).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
import zipfile

import support

import memory_program
from jinn import _runner

# What a script shows of how it was started. Object addresses differ from run to run, so loaders and importers
# are named by their type.
INTROSPECT = textwrap.dedent('''\
    import sys
    spec = __spec__
    print(sys.argv, repr(__file__), repr(sys.path[0]), __name__, __package__, __doc__, type(__loader__).__name__)
    print(spec and (spec.name, spec.origin, type(spec.loader).__name__), repr(__cached__), sorted(globals()))
    print(getattr(sys, "orig_argv", [None])[1:], __builtins__ is __import__("builtins"))
    print({key: type(value).__name__ for key, value in sys.path_importer_cache.items() if key.startswith(%r + "/")})
    ''')

FAILS = textwrap.dedent('''\
    def inner(x):
        return 1 / x


    inner(0)
    ''')


def _run(command, cwd):
    process = subprocess.run(command, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    return process.returncode, process.stdout, process.stderr


# The zygote child's way: run_entry, then an uncaught exception printed without the frames that led into it.
_CHILD = textwrap.dedent('''\
    import os, sys
    sys.path.append(%(source)r)  # appended: sys.path[0] stays the "" of -c, which run_entry replaces
    from jinn import _ending, _runner
    try:
        _runner.run_entry(%(kind)r, %(target)r, %(argv)r, os.getcwd())
    except SystemExit as exit:
        status = _ending.system_exit_status(exit)
    except BaseException as error:
        _ending.print_uncaught(error)
        status = 1
    else:
        status = 0
    raise SystemExit(status)
    ''')


class EntryPointTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = os.path.realpath(tempfile.mkdtemp())
        root = cls.root
        introspect = INTROSPECT % root

        def write(path, text):
            path = os.path.join(root, path)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as file:
                file.write(text)

        write("real/script.py", introspect)
        write("real/fails.py", FAILS)
        os.makedirs(os.path.join(root, "links"))
        os.symlink("../real/script.py", os.path.join(root, "links", "script.py"))
        os.symlink(os.path.join(root, "real", "fails.py"), os.path.join(root, "links", "fails.py"))
        os.symlink("real", os.path.join(root, "realdir"))
        write("app/__main__.py", introspect)
        write("app/helper.py", "VALUE = 'beside __main__'\n")
        write("broken/__main__.py", FAILS)
        os.symlink("app", os.path.join(root, "applink"))
        os.makedirs(os.path.join(root, "empty"))
        for name, source in (("app.zip", introspect), ("broken.zip", FAILS)):
            with zipfile.ZipFile(os.path.join(root, name), "w") as archive:
                archive.writestr("__main__.py", source)
        os.symlink("app.zip", os.path.join(root, "applink.pyz"))
        with open(os.path.join(root, "looks_like.zip"), "wb") as file:
            file.write(b"PK\x05\x06")  # an end record and nothing else: python3 runs it as source
        write("module_main.py", introspect)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root)

    def python3(self, argv):
        return _run([sys.executable] + argv, self.root)

    def child(self, argv):
        kind, target, rest = ("code", argv[1], argv[2:]) if argv[0] == "-c" else \
            ("module", argv[1], argv[2:]) if argv[0] == "-m" else ("script", argv[0], argv[1:])
        code = _CHILD % {"source": support.SOURCE, "kind": kind, "target": target,
                         "argv": [argv[0] if kind == "script" else "-" + kind[0]] + rest}
        status, stdout, stderr = _run([sys.executable, "-c", code], self.root)
        # The interpreter names itself by the path it was started with; python3 here is started by that path too.
        return status, stdout, stderr

    def bootstrap(self, argv):
        if argv[0] == "-c":
            entry = ("code", argv[1])
            argv = ["-c"] + argv[2:]
        else:
            entry = ("script", argv[0])
        status, stdout, stderr, _ = memory_program.run_in({}, self.root, entry=entry, argv=argv)
        return status, stdout, stderr

    def assertSameAsPython3(self, argv, bootstrap=True):
        expected = self.python3(argv)
        self.assertEqual(self.child(argv), expected, "the zygote's child")
        if bootstrap:
            self.assertEqual(self.bootstrap(argv), expected, "the in-memory bootstrap")
        return expected

    def test_a_script(self):
        status, stdout, _ = self.assertSameAsPython3(["real/script.py", "a", "b c"])
        self.assertEqual(status, 0)
        self.assertIn("['real/script.py', 'a', 'b c'] '%s/real/script.py'" % self.root, stdout)

    def test_a_script_by_relative_and_absolute_paths(self):
        self.assertSameAsPython3(["./real/script.py"])
        self.assertSameAsPython3([os.path.join(self.root, "real", "..", "real", "script.py")])

    def test_a_symlinked_script_imports_from_the_directory_of_the_file_it_leads_to(self):
        _, stdout, _ = self.assertSameAsPython3(["links/script.py", "x"])
        self.assertIn("'%s/links/script.py' '%s/real'" % (self.root, self.root), stdout)
        self.assertSameAsPython3(["./links/script.py"])
        self.assertSameAsPython3(["realdir/script.py"])

    def test_a_traceback_through_a_symlinked_script(self):
        status, _, stderr = self.assertSameAsPython3(["links/fails.py"])
        self.assertEqual(status, 1)
        self.assertIn('File "%s/links/fails.py", line 5, in <module>\n    inner(0)\n' % self.root, stderr)

    def test_a_directory_runs_its_main_module(self):
        _, stdout, _ = self.assertSameAsPython3(["app", "x"])
        self.assertIn("['app', 'x'] '%s/app/__main__.py' '%s/app'" % (self.root, self.root), stdout)
        self.assertSameAsPython3(["./app/"])
        self.assertSameAsPython3(["applink"])

    def test_a_zip_file_runs_its_main_module(self):
        _, stdout, _ = self.assertSameAsPython3(["app.zip", "y"])
        self.assertIn("'%s/app.zip/__main__.py' '%s/app.zip'" % (self.root, self.root), stdout)
        self.assertIn("zipimporter", stdout)
        self.assertSameAsPython3(["applink.pyz"])

    def test_tracebacks_from_a_directory_and_a_zip_file_show_runpy_as_python3_does(self):
        for path in ("broken", "broken.zip"):
            with self.subTest(path=path):
                status, _, stderr = self.assertSameAsPython3([path])
                self.assertEqual(status, 1)
                self.assertIn("runpy", stderr)
                self.assertIn('__main__.py", line 2, in inner\n', stderr)
        # The interpreter's printer reads a zip file's lines since Python 3.13 only; the file's lines it always shows.
        self.assertIn("    return 1 / x\n", self.python3(["broken"])[2])

    def test_a_file_that_only_looks_like_a_zip_runs_as_source(self):
        status, _, stderr = self.assertSameAsPython3(["looks_like.zip"])
        self.assertEqual(status, 1)
        self.assertIn("SyntaxError", stderr)

    def test_a_directory_without_main(self):
        status, _, stderr = self.assertSameAsPython3(["empty"])
        self.assertEqual((status, stderr), (1, "%s: can't find '__main__' module in '%s/empty'\n"
                                            % (sys.executable, self.root)))

    def test_a_missing_or_unreadable_script(self):
        status, stdout, stderr = self.assertSameAsPython3(["missing.py"])
        self.assertEqual((status, stdout), (2, ""))
        self.assertEqual(stderr, "%s: can't open file '%s/missing.py': [Errno 2] No such file or directory\n"
                         % (sys.executable, self.root))
        self.assertSameAsPython3(["./real/script.py/inner.py"])

    def test_code(self):
        self.assertSameAsPython3(["-c", "import sys; print(sys.argv, repr(sys.path[0]), __name__, __spec__, "
                                  "sorted(globals()), getattr(sys, 'orig_argv', [None])[1:])", "p"])
        status, _, _ = self.assertSameAsPython3(["-c", "x = 1\nraise OSError(2, 'nope')"])
        self.assertEqual(status, 1)

    def test_a_module(self):
        # The bootstrap's module programs keep the name Swift gives them in argv[0], so only the child's path is
        # python3's -m.
        _, stdout, _ = self.assertSameAsPython3(["-m", "module_main", "q"], bootstrap=False)
        self.assertIn("['%s/module_main.py', 'q']" % self.root, stdout)


class SafePathTests(unittest.TestCase):
    @unittest.skipIf(sys.version_info < (3, 11), "python3 -P is new in Python 3.11")
    def test_a_safe_path_keeps_sys_path_but_a_directory_still_comes_first(self):
        root = os.path.realpath(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, root)
        os.makedirs(os.path.join(root, "app"))
        show = "import sys\nprint(sys.path[:2])\n"
        for path in ("script.py", "app/__main__.py"):
            with open(os.path.join(root, path), "w") as file:
                file.write(show)
        for argv in (["script.py"], ["app"]):
            with self.subTest(argv=argv):
                code = _CHILD % {"source": support.SOURCE, "kind": "script", "target": argv[0], "argv": argv}
                self.assertEqual(_run([sys.executable, "-P", "-c", code], root),
                                 _run([sys.executable, "-P"] + argv, root))


class PathTests(unittest.TestCase):
    def test_relative_paths_are_joined_not_normalized(self):
        self.assertEqual(_runner.absolute_path("./t.py", "/tmp/x"), "/tmp/x/./t.py")
        self.assertEqual(_runner.absolute_path("a/../t.py", "/w"), "/w/a/../t.py")

    def test_absolute_paths_stay(self):
        self.assertEqual(_runner.absolute_path("/abs/t.py", "/tmp"), "/abs/t.py")


class MainModuleTests(unittest.TestCase):
    def test_script_main_has_the_attributes_python_gives_it(self):
        module = _runner.main_module(loader="L", file="/x/t.py")
        names = sorted(name for name in vars(module))
        self.assertEqual(names, ["__annotations__", "__builtins__", "__cached__", "__doc__", "__file__",
                                 "__loader__", "__name__", "__package__", "__spec__"])
        self.assertEqual(module.__name__, "__main__")
        self.assertIsNone(module.__cached__)
        self.assertIsNone(module.__spec__)

    def test_code_main_has_no_file(self):
        module = _runner.main_module(loader="L")
        self.assertFalse(hasattr(module, "__file__"))


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
        trimmed = _runner.trim_traceback(tb, (boundary.__code__,))
        self.assertEqual(trimmed.tb_frame.f_code, inner.__code__)

    def test_a_traceback_without_the_boundary_is_unchanged(self):
        try:
            raise ValueError("x")
        except ValueError as error:
            tb = error.__traceback__
        self.assertIs(_runner.trim_traceback(tb), tb)


if __name__ == "__main__":
    unittest.main()
