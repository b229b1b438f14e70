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
            import json
            import json.decoder

            before, spec, loader = json, json.__spec__, json.__loader__
            _modules._HIDDEN = ("json", "json.decoder")
            _modules.hide()
            gone = "json" not in sys.modules and "json.decoder" not in sys.modules
            import json as again

            return (gone, again is before, again.__spec__ is spec, again.__loader__ is loader,
                    "json.decoder" in sys.modules, sorted(_modules.restored()), _modules.loaded("json.decoder")
                    is not None)

        self.assertEqual(in_child(child), (True, True, True, True, False, ["json"], True))

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
