import unittest

import support

from jinn import _values

try:
    import numpy
except ImportError:
    numpy = None


class CheckTests(unittest.TestCase):
    def test_marshallable_values_pass_unchanged(self):
        value = {"a": [1, 2.5, None, True, b"x", bytearray(b"y")], (1, 2): {"set": {1, 2}}}
        self.assertIs(_values.check(value), value)

    def test_the_offending_type_is_named_with_its_place(self):
        with self.assertRaises(TypeError) as caught:
            _values.check({"ok": 1, "bad": [1, object()]})
        self.assertIn("value['bad'][1]", str(caught.exception))
        self.assertIn("builtins.object", str(caught.exception))

    def test_subclasses_of_plain_types_travel_as_the_plain_type(self):
        import collections
        import enum
        import marshal

        class Number(int):
            pass

        class Level(enum.IntEnum):
            HIGH = 3

        class Permission(enum.IntFlag):
            READ = 4
            WRITE = 2

        class Colour(str, enum.Enum):  # str() of a member is "Colour.RED", its value is "red"
            RED = "red"

        class Name(str):
            def __str__(self):
                return "not the value"

        class Blob(bytes):
            def __bytes__(self):
                return b"not the value"

        class Ratio(float):
            def __float__(self):
                return -1.0

        Point = collections.namedtuple("Point", "x y")
        cases = [
            (Number(3), 3, int), (Level.HIGH, 3, int), (Permission.READ | Permission.WRITE, 6, int),
            (Colour.RED, "red", str), (Name("ada"), "ada", str), (Blob(b"raw"), b"raw", bytes),
            (Ratio(0.5), 0.5, float), (Point(1, 2), (1, 2), tuple),
            (collections.OrderedDict(a=1), {"a": 1}, dict), (collections.defaultdict(list, b=[2]), {"b": [2]}, dict),
        ]
        for value, expected, kind in cases:
            with self.subTest(value=value):
                converted = _values.check(value)
                self.assertIs(type(converted), kind)
                self.assertEqual(converted, expected)
                marshal.dumps(converted)

    def test_subclasses_nested_in_containers_and_keys_are_converted(self):
        import enum
        import marshal

        class Level(enum.IntEnum):
            LOW = 1
            HIGH = 3

        class Name(str):
            pass

        value = {Level.HIGH: [Level.LOW, (Name("a"), {Level.LOW, 7})], Name("key"): {"inner": Name("v")}, "ok": 2}
        converted = _values.check(value)
        self.assertEqual(converted, {3: [1, ("a", {1, 7})], "key": {"inner": "v"}, "ok": 2})
        self.assertEqual(_exact_types(converted), [dict, int, list, int, tuple, str, set, int, int, str, dict, str, str,
                                                   str, int])
        self.assertEqual(marshal.loads(marshal.dumps(converted)), converted)
        self.assertIs(type(value[Level.HIGH][0]), Level)  # the value itself is left as it was

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_numpy_scalars_travel_as_bool_int_and_float(self):
        cases = [
            (numpy.float64(1.5), 1.5, float), (numpy.float32(0.25), 0.25, float), (numpy.float16(-2.0), -2.0, float),
            (numpy.int64(-7), -7, int), (numpy.int8(5), 5, int), (numpy.uint64(2 ** 64 - 1), 2 ** 64 - 1, int),
            (numpy.bool_(True), True, bool), (numpy.bool_(False), False, bool),
            (numpy.str_("text"), "text", str), (numpy.bytes_(b"raw"), b"raw", bytes),
        ]
        for value, expected, kind in cases:
            with self.subTest(value=repr(value)):
                converted = _values.check(value, "the result")
                self.assertIs(type(converted), kind)
                self.assertEqual(converted, expected)

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_numpy_scalars_nested_in_containers_and_keys_are_converted(self):
        import marshal

        value = {numpy.int64(1): [numpy.float64(0.5), (numpy.bool_(True), {numpy.int32(2)})],
                 "sum": numpy.arange(4).sum(), "mean": numpy.array([1.0, 2.0]).mean()}
        converted = _values.check(value)
        self.assertEqual(converted, {1: [0.5, (True, {2})], "sum": 6, "mean": 1.5})
        self.assertEqual(_exact_types(converted), [dict, int, list, float, tuple, bool, set, int, str, int, str, float])
        self.assertEqual(marshal.loads(marshal.dumps(converted)), converted)

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_other_numpy_values_and_complex_numbers_are_still_refused_with_their_place(self):
        cases = [
            (1 + 2j, "the result", "builtins.complex"),
            (numpy.complex128(1), "the result", "numpy.complex128"),
            ([1, numpy.datetime64("2020-01-01")], "the result[1]", "numpy.datetime64"),
            ({"span": numpy.timedelta64(3, "s")}, "the result['span']", "numpy.timedelta64"),
            ({"array": [numpy.float64(1), numpy.zeros(2)]}, "the result['array'][1]", "numpy.ndarray"),
        ]
        for value, where, name in cases:
            with self.subTest(name=name):
                with self.assertRaises(TypeError) as caught:
                    _values.check(value, "the result")
                self.assertIn("cannot send %s of type %s" % (where, name), str(caught.exception))

    def test_numpy_is_not_imported_to_check_values(self):
        import subprocess
        import sys

        code = ("import enum, sys; sys.path.insert(0, %r)\n"
                "from jinn import _values\n"
                "class Level(enum.IntEnum):\n    HIGH = 3\n"
                "assert _values.check([Level.HIGH, {'a': 1.5}]) == [3, {'a': 1.5}]\n"
                "try:\n    _values.check(object())\nexcept TypeError:\n    pass\n"
                "print('numpy' in sys.modules)\n" % support.SOURCE)
        output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        self.assertEqual(output, "False\n")


def _exact_types(value):
    """The types of the value and of everything in it, depth first (dict keys before their values)."""
    found = [type(value)]
    if isinstance(value, dict):
        for key, element in value.items():
            found += _exact_types(key) + _exact_types(element)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for element in sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value:
            found += _exact_types(element)
    return found


if __name__ == "__main__":
    unittest.main()
