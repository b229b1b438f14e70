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


if __name__ == "__main__":
    unittest.main()
