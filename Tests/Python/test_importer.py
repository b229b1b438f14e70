import importlib
import sys
import unittest

import support  # noqa: F401

from jinn._importer import MemoryFinder


class MemoryFinderTests(unittest.TestCase):
    def setUp(self):
        self.finder = MemoryFinder([
            ("memtest_pkg", "<jinn>/memtest_pkg/__init__.py", "from .core import VALUE\n", True),
            ("memtest_pkg.core", "<jinn>/memtest_pkg/core.py", "import builtins\n"
             "builtins.memtest_runs = getattr(builtins, 'memtest_runs', 0) + 1\nVALUE = 7\n", False),
        ])
        sys.meta_path.insert(0, self.finder)

    def tearDown(self):
        sys.meta_path.remove(self.finder)
        for name in [n for n in sys.modules if n.startswith("memtest_pkg")]:
            del sys.modules[name]
        import builtins
        builtins.__dict__.pop("memtest_runs", None)

    def test_specs_describe_packages_and_modules(self):
        package = self.finder.find_spec("memtest_pkg")
        self.assertEqual(package.origin, "<jinn>/memtest_pkg/__init__.py")
        self.assertEqual(package.submodule_search_locations, ["<jinn>/memtest_pkg"])
        module = self.finder.find_spec("memtest_pkg.core")
        self.assertIsNone(module.submodule_search_locations)
        self.assertIsNone(self.finder.find_spec("not_held_here"))

    def test_import_runs_each_body_once_and_reload_again(self):
        import builtins
        package = importlib.import_module("memtest_pkg")
        importlib.import_module("memtest_pkg.core")
        self.assertEqual(package.VALUE, 7)
        self.assertEqual(builtins.memtest_runs, 1)
        self.assertEqual(package.core.__file__, "<jinn>/memtest_pkg/core.py")
        importlib.reload(package.core)
        self.assertEqual(builtins.memtest_runs, 2)

    def test_loader_serves_source_for_linecache(self):
        import linecache
        module = importlib.import_module("memtest_pkg.core")
        self.assertEqual(linecache.getline(module.__file__, 3, module.__dict__), "VALUE = 7\n")


if __name__ == "__main__":
    unittest.main()


class CompiledCodeTests(unittest.TestCase):
    def test_compiled_code_is_used_and_reported_and_bad_code_falls_back(self):
        import marshal
        source = "VALUE = 'from source'\n"
        good = marshal.dumps(compile("VALUE = 'from cache'\n", "<jinn>/cached_mod.py", "exec"))
        finder = MemoryFinder([
            ("cached_mod", "<jinn>/cached_mod.py", source, False, good),
            ("broken_cache", "<jinn>/broken_cache.py", source, False, b"not marshal"),
        ], use_code=True)
        reports = []
        finder.report_compiled(reports.extend)
        sys.meta_path.insert(0, finder)
        try:
            self.assertEqual(importlib.import_module("cached_mod").VALUE, "from cache")
            self.assertEqual(importlib.import_module("broken_cache").VALUE, "from source")
        finally:
            sys.meta_path.remove(finder)
            sys.modules.pop("cached_mod", None)
            sys.modules.pop("broken_cache", None)
        self.assertEqual([path for path, _ in reports], ["<jinn>/broken_cache.py"])

    def test_code_is_ignored_unless_the_magic_number_matched(self):
        finder = MemoryFinder([("m", "<jinn>/m.py", "X = 1\n", False, b"anything")], use_code=False)
        self.assertIsNone(finder.loader("m").code)
