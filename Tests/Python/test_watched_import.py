"""A preload's import watched for output, threads and time (``jinn._watched_import``), and the libraries a run
reports at its end (``jinn._ending.library_imports``)."""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

import support  # noqa: F401  (puts the embedded package on sys.path)


def run_isolated(code, directory):
    """Runs ``code`` in a fresh interpreter with the embedded package and ``directory`` on its path; returns its
    stdout and stderr (the watched import must keep a module's output from both)."""
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([directory] + sys.path))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment,
                            timeout=60)
    return result.stdout, result.stderr


class WatchedImportTests(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp()
        modules = {
            "quiet_module": "X = 1\n",
            "printing_module": "print('hello from import')\n",
            "warning_module": "import sys\nsys.stderr.write('careful\\n')\n",
            "threading_module": "import threading, time\nthreading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n",
            "raising_module": "raise RuntimeError('no luck')\n",
            "slow_module": "import time\ntime.sleep(0.3)\n",
        }
        for name, text in modules.items():
            with open(os.path.join(self.directory, name + ".py"), "w") as file:
                file.write(text)

    def watch(self, name, limit=2.0):
        code = textwrap.dedent("""
            from jinn._watched_import import import_watched
            print(repr(import_watched(%r, %r)))
            """ % (name, limit))
        stdout, stderr = run_isolated(code, self.directory)
        return eval(stdout.strip().splitlines()[-1]), stdout, stderr

    def test_a_quiet_module_is_accepted(self):
        self.assertEqual(self.watch("quiet_module")[0], (None, None))

    def test_output_on_either_descriptor_is_caught_and_refused(self):
        (error, refusal), stdout, stderr = self.watch("printing_module")
        self.assertIsNone(error)
        self.assertIn("wrote to the terminal", refusal)
        self.assertEqual(len(stdout.splitlines()), 1, stdout)  # only the test's own line reached the terminal
        (error, refusal), _, stderr = self.watch("warning_module")
        self.assertIn("wrote to the terminal", refusal)
        self.assertEqual(stderr, "")

    def test_a_thread_is_refused(self):
        self.assertEqual(self.watch("threading_module")[0], (None, "its import started a thread"))

    def test_an_exception_is_returned(self):
        error, refusal = self.watch("raising_module")[0]
        self.assertEqual(error, "RuntimeError: no luck")

    def test_a_slow_import_is_refused(self):
        error, refusal = self.watch("slow_module", 0.1)[0]
        self.assertIsNone(error)
        self.assertIn("more than 0.1 s", refusal)


class LibraryImportsTests(unittest.TestCase):
    def test_only_top_level_libraries_outside_the_scripts_directory(self):
        with tempfile.TemporaryDirectory() as script_directory, tempfile.TemporaryDirectory() as library:
            with open(os.path.join(script_directory, "own_helper.py"), "w") as file:
                file.write("X = 1\n")
            os.mkdir(os.path.join(library, "library_package"))
            with open(os.path.join(library, "library_package", "__init__.py"), "w") as file:
                file.write("from . import part\n")
            with open(os.path.join(library, "library_package", "part.py"), "w") as file:
                file.write("Y = 2\n")
            code = textwrap.dedent("""
                import sys
                sys.path.insert(0, %r)
                startup = frozenset(sys.modules)
                import decimal, own_helper, library_package
                from jinn._ending import library_imports
                print(library_imports(startup).decode())
                """ % script_directory)
            stdout, stderr = run_isolated(code, library)
            names = stdout.split()
            self.assertIn("decimal", names)
            self.assertIn("library_package", names)
            self.assertNotIn("own_helper", names)
            self.assertFalse([name for name in names if name.startswith("_") or "." in name], names)


if __name__ == "__main__":
    unittest.main()
