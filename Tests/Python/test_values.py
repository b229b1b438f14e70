import unittest

import support  # noqa: F401

from jinn import _values


class CheckTests(unittest.TestCase):
    def test_marshallable_values_pass_unchanged(self):
        value = {"a": [1, 2.5, None, True, b"x", bytearray(b"y")], (1, 2): {"set": {1, 2}}}
        self.assertIs(_values.check(value), value)

    def test_the_offending_type_is_named_with_its_place(self):
        with self.assertRaises(TypeError) as caught:
            _values.check({"ok": 1, "bad": [1, object()]})
        self.assertIn("value['bad'][1]", str(caught.exception))
        self.assertIn("builtins.object", str(caught.exception))

    def test_subclasses_are_refused_because_marshal_refuses_them(self):
        class Number(int):
            pass
        with self.assertRaises(TypeError):
            _values.check(Number(3))


if __name__ == "__main__":
    unittest.main()
