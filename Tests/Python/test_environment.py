"""Unit tests of a run's environment and import path (jinn._environment)."""

import os
import subprocess
import sys
import unittest

import support  # noqa: F401  (puts the embedded package on sys.path)
from jinn import _environment


class PythonPathTests(unittest.TestCase):
    def test_only_a_path_with_a_relative_or_empty_entry_needs_a_plan(self):
        self.assertIsNone(_environment.pythonpath_plan(None, "/z"))
        self.assertIsNone(_environment.pythonpath_plan("", "/z"))
        self.assertIsNone(_environment.pythonpath_plan("/a:/b", "/z"))
        path = ["", "/z", "/a", "/usr/lib"]
        self.assertEqual(_environment.pythonpath_plan(".:/a", "/z", path), ([".", "/a"], ["/z", "/a"]))
        path = ["", "/z/a", "/z", "/z/b", "/usr/lib"]
        self.assertEqual(_environment.pythonpath_plan("a::b", "/z", path), (["a", "", "b"], ["/z/a", "/z", "/z/b"]))

    def test_entries_move_to_the_callers_directory_without_duplicates(self):
        path = ["", "/z/w/src", "/z/lib", "/z/w", "/abs", "/usr/lib/python3", "/home/u/lib"]
        plan = _environment.pythonpath_plan("src:../lib::/abs", "/z/w", path)
        _environment.resolve_pythonpath(path, plan, "/home/u")
        self.assertEqual(path, ["", "/home/u/src", "/home/lib", "/home/u", "/abs", "/usr/lib/python3",
                                "/home/u/lib"])
        path = ["", "/z/w/src", "/z/lib", "/z/w", "/abs", "/usr/lib/python3"]
        _environment.resolve_pythonpath(path, plan, "/usr/lib/python3")
        self.assertEqual(path, ["", "/usr/lib/python3/src", "/usr/lib/lib", "/usr/lib/python3", "/abs"])  # the standard library's entry came once, where PYTHONPATH put it

    def test_a_path_of_another_layout_is_left_alone(self):
        plan = _environment.pythonpath_plan(".", "/z", ["", "/z", "/usr/lib/python3"])
        path = ["", "/elsewhere", "/usr/lib/python3"]
        _environment.resolve_pythonpath(path, plan, "/home/u")
        self.assertEqual(path, ["", "/elsewhere", "/usr/lib/python3"])

    def test_the_plan_gives_what_python3_gives_in_that_directory(self):
        directory = os.path.dirname(os.path.abspath(__file__))
        for value in (".", "a::b", "./x:/abs:rel/../y", "a:", ":", "/abs:b"):
            shown = subprocess.run([sys.executable, "-c", "import sys; print(sys.path[1:])"], cwd=directory,
                                   env=dict(os.environ, PYTHONPATH=value), capture_output=True, text=True)
            expected = eval(shown.stdout)
            zygote_path = eval(subprocess.run(
                [sys.executable, "-c", "import sys; print(sys.path[1:])"], cwd="/",
                env=dict(os.environ, PYTHONPATH=value), capture_output=True, text=True).stdout)
            path = [""] + zygote_path
            _environment.resolve_pythonpath(path, _environment.pythonpath_plan(value, "/", path), directory)
            self.assertEqual(path[1:], expected, value)


class EnvironmentOrderTests(unittest.TestCase):
    def setUp(self):
        saved = dict(os.environb)
        self.addCleanup(_environment.replace_environment, saved)

    def test_os_environ_takes_the_given_order_and_the_c_environment_its_values(self):
        wanted = {b"ZETA": b"1", b"ALPHA": b"2", b"PATH": os.environb[b"PATH"], b"MID": b"\xff"}
        _environment.replace_environment(wanted)
        self.assertEqual(list(os.environb.items()), list(wanted.items()))
        self.assertEqual(list(os.environ), ["ZETA", "ALPHA", "PATH", "MID"])
        # What a subprocess inherits is the C environment: the same variables.
        printed = subprocess.run(["/usr/bin/env"], env=None, capture_output=True).stdout.splitlines()
        self.assertEqual(sorted(printed), sorted(key + b"=" + value for key, value in wanted.items()))


class LocaleCoercionTests(unittest.TestCase):
    def test_a_coerced_lc_ctype_is_noticed(self):
        self.assertEqual(_environment.coerced_locale({}, {b"LC_CTYPE": b"C.UTF-8"}), b"C.UTF-8")
        self.assertEqual(_environment.coerced_locale({b"LC_CTYPE": b"C"}, {b"LC_CTYPE": b"C.UTF-8"}), b"C.UTF-8")
        self.assertIsNone(_environment.coerced_locale({b"LC_CTYPE": b"x"}, {b"LC_CTYPE": b"x"}))
        self.assertIsNone(_environment.coerced_locale({}, {}))
        self.assertIsNone(_environment.coerced_locale(None, {b"LC_CTYPE": b"C.UTF-8"}))

    def test_coercion_sets_in_place_or_at_the_end(self):
        environment = {b"A": b"1", b"LC_CTYPE": b"C", b"B": b"2"}
        _environment.coerce_locale(environment, b"C.UTF-8")
        self.assertEqual(list(environment.items()), [(b"A", b"1"), (b"LC_CTYPE", b"C.UTF-8"), (b"B", b"2")])
        environment = {b"B": b"2"}
        _environment.coerce_locale(environment, b"C.UTF-8")
        self.assertEqual(list(environment), [b"B", b"LC_CTYPE"])


if __name__ == "__main__":
    unittest.main()
