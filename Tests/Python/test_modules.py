"""Unit tests of what a run finds in sys.modules (jinn._modules)."""

import os
import sys
import unittest

import support  # noqa: F401  (puts the embedded package on sys.path)
from jinn import _modules
from test_ending import in_child


class HiddenNamesTests(unittest.TestCase):
    def test_start_up_modules_preloads_and_their_packages_stay(self):
        modules = dict.fromkeys(["sys", "os", "socket", "numpy", "numpy.linalg", "numpy.core", "ctypes", "jinn"])
        hidden = _modules.hidden_names(modules, ["sys", "os"], ["numpy.linalg"], ["jinn"])
        self.assertEqual(hidden, ["socket", "numpy.core", "ctypes"])


class HideTests(unittest.TestCase):
    def test_a_hidden_module_comes_back_as_the_same_object_without_running_again(self):
        def child():
            import email  # noqa: F401 (loaded, not hidden)
            import json
            import json.decoder

            before, spec, loader = json, json.__spec__, json.__loader__
            _modules._HIDDEN = ("json", "json.decoder")
            _modules.hide()
            gone = "json" not in sys.modules and "json.decoder" not in sys.modules
            import json as again

            return (gone, again is before, again.__spec__ is spec, again.__loader__ is loader,
                    sorted(_modules.restored()), _modules.loaded("email") is not None)

        # json.decoder comes back with json, which imported it (as python3's import of json would have).
        self.assertEqual(in_child(child), (True, True, True, True, ["json", "json.decoder"], True))

    def test_what_a_restored_module_imported_comes_back_with_it(self):
        def child():
            import ctypes

            hidden = tuple(name for name in sys.modules if name == "_ctypes" or name.startswith("ctypes"))
            _modules._HIDDEN = hidden
            _modules.hide()
            import ctypes as again

            return again is ctypes, sorted(name for name in sys.modules if name in hidden)

        restored = in_child(child)
        self.assertTrue(restored[0])
        self.assertIn("_ctypes", restored[1])  # known only from where its classes come from
        self.assertIn("ctypes._endian", restored[1])

    def test_a_submodule_not_loaded_yet_imports_below_a_restored_package(self):
        def child():
            import email

            _modules._HIDDEN = ("email",)
            _modules.hide()
            import email.quoprimime

            return sys.modules["email"] is email, email.quoprimime.__name__

        self.assertEqual(in_child(child), (True, "email.quoprimime"))


class LearnedGroupTests(unittest.TestCase):
    def test_a_group_takes_in_the_groups_its_modules_refer_to(self):
        def child():
            import json
            import json.decoder
            import xml.dom

            modules = {"json": json, "json.decoder": json.decoder, "xml.dom": xml.dom, "lonely": None}
            # json's namespace holds its decoder, and a submodule needs its package; nothing refers to xml.
            groups = [["json.decoder"], ["json"], ["xml.dom", "lonely"], ["asked"]]
            return (_modules.restoration_sets(modules, groups),
                    # A group's import asked for another group's module, and for a hidden module of no group.
                    _modules.restoration_sets(modules, groups, [set(), set(), set(), {"lonely", "socket"}],
                                              frozenset(["socket", "json", "lonely"])))

        sets, asked = in_child(child)
        self.assertEqual(sets["json"], ("json.decoder", "json"))
        self.assertEqual(sets["json.decoder"], ("json.decoder", "json"))
        self.assertEqual(sets["lonely"], ("xml.dom", "lonely"))
        self.assertEqual(asked["asked"], ("xml.dom", "lonely", "asked", "socket"))

    def test_a_hidden_module_of_no_group_that_a_group_asks_for_comes_with_what_it_imported(self):
        def child():
            import ctypes  # noqa: F401

            hidden = frozenset(name for name in sys.modules if name == "_ctypes" or name.startswith("ctypes"))
            return hidden, _modules.restoration_sets(sys.modules, [["asker"]], [{"ctypes"}], hidden)["asker"]

        hidden, members = in_child(child)
        self.assertEqual(members[0], "asker")
        self.assertIn("_ctypes", members)  # known only from where ctypes' classes come from
        self.assertLessEqual(set(members[1:]), hidden)

    def test_a_name_the_program_set_itself_is_left_as_it_is(self):
        def child():
            import email.message  # noqa: F401

            group = [name for name in sys.modules if name == "email" or name.startswith("email.")]
            _modules.prepare([name for name in sys.modules if name not in group], [], [], [group])
            _modules.hide()
            own = type(sys)("email.charset")  # as a program might put a stand-in in place
            sys.modules["email.charset"] = own
            import email  # noqa: F811

            return sys.modules["email.charset"] is own, "email.charset" in _modules.restored()

        self.assertEqual(in_child(child), (True, False))

    def test_recording_imports_sees_names_found_loaded_already(self):
        import json  # noqa: F401

        with _modules.recording_imports() as requested:
            exec("import json\nfrom os import path")
        import builtins

        self.assertEqual(requested, {"json", "os"})
        self.assertEqual(builtins.__import__.__name__, "__import__")  # the interpreter's own again

    def test_importing_one_module_of_a_learned_group_gives_back_the_whole_group_without_walking_it(self):
        def child():
            import email.message  # noqa: F401 (loads a package with many submodules)

            group = [name for name in sys.modules if name == "email" or name.startswith("email.")]
            _modules.prepare([name for name in sys.modules if name not in group], [], [], [group])
            restorer = _modules.hide()
            gone = not any(name in sys.modules for name in group)
            found = __import__("importlib.util").util.find_spec("email")
            walked = []
            restorer.restore_dependencies = walked.append
            import email.message  # noqa: F811

            package = sys.modules["email"]
            return (gone, found.origin == package.__spec__.origin, found.submodule_search_locations is not None,
                    all(name in sys.modules for name in group), sorted(_modules.restored()) == sorted(group),
                    walked, package.__spec__.loader is not restorer)

        self.assertEqual(in_child(child), (True, True, True, True, True, [], True))


if __name__ == "__main__":
    unittest.main()
