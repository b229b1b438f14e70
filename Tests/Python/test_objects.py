"""The Python half of object handles (jinn._objects): nodes, replies, the table and its counts, arrays."""

import array
import asyncio
import enum
import gc
import sys
import unittest

import support  # noqa: F401  (puts the jinn sources on the path)

from jinn import _objects

try:
    import numpy
except ImportError:
    numpy = None


class Box:
    pass


class Level(enum.IntEnum):
    LOW = 1


def handle_of(reply):
    assert type(reply) is tuple and reply[0] == 1, reply
    return reply[1]


class TableTests(unittest.TestCase):
    def setUp(self):
        self.before = _objects.table_size()

    def tearDown(self):
        self.assertEqual(_objects.table_size(), self.before, "a test left objects in the table")

    def test_plain_data_comes_back_as_it_is(self):
        for value in (None, True, 3, 2 ** 100, 1.5, "text", b"bytes", [1, "a"], {"k": [None]}, {1, 2},
                      frozenset((3,))):
            self.assertEqual(_objects.get(value), value)
        self.assertEqual(_objects.get((0, (1, (2, 3)))), (0, (1, (2, 3))))  # a plain tuple is marked as one
        self.assertEqual(_objects.get([(1, 2)]), [(1, 2)])  # inside a list it needs no mark

    def test_everything_else_comes_back_as_a_handle(self):
        for value in (Box(), Level.LOW, bytearray(b"x"), [1, Box()], {"k": Box()}, 1j, len):
            reply = _objects.get((0, value) if type(value) is tuple else value)
            self.assertEqual(reply[0], 1, value)
            _objects.release([reply[1]])
        reply = _objects.get(Box())
        self.assertEqual(reply[2], "test_objects.Box")
        _objects.release([reply[1]])
        reply = _objects.get(sys)
        self.assertEqual(reply[2], "module sys")
        _objects.release([reply[1]])

    def test_the_same_object_has_one_handle_counted_each_time(self):
        box = Box()
        first = handle_of(_objects.get(box))
        second = handle_of(_objects.get(box))
        self.assertEqual(first, second)
        self.assertEqual(_objects.table_size(), self.before + 1)
        _objects.release([first])
        self.assertIs(_objects._object((1, first)), box)  # one count left
        _objects.release([first])
        self.assertEqual(_objects.table_size(), self.before)
        _objects.release([first, 12345678])  # a handle that is gone, or unknown, is ignored
        again = handle_of(_objects.get(box))
        self.assertGreater(again, first)  # never reused
        _objects.release([again])

    def test_a_released_handle_is_an_error_naming_it(self):
        handle = handle_of(_objects.get(Box()))
        _objects.release([handle])
        with self.assertRaisesRegex(LookupError, "handle %d" % handle):
            _objects.get((1, handle))

    def test_releases_drop_objects_outside_the_lock(self):
        made = []

        class Noisy:
            def __del__(self):
                made.append(_objects.get(Box()))  # a __del__ that makes a handle must not deadlock

        handle = handle_of(_objects.get(Noisy()))
        _objects.release([handle])
        gc.collect()
        self.assertEqual(len(made), 1)
        _objects.release([handle_of(made[0])])

    def test_releases_come_along_with_an_operation(self):
        first = handle_of(_objects.get(Box()))
        second = handle_of(_objects.get(Box()))
        self.assertEqual(_objects.released([first, second], "operate", "add", 2, 3), 5)
        self.assertEqual(_objects.table_size(), self.before)
        with self.assertRaises(KeyError):
            _objects.released([], "release", [])  # only the operations, by name

    def test_many_handles_leave_the_table(self):
        handles = [handle_of(_objects.get(Box())) for _ in range(10_000)]
        self.assertEqual(_objects.table_size(), self.before + 10_000)
        _objects.release(handles)


class NodeTests(unittest.TestCase):
    def test_nodes_name_objects(self):
        box = Box()
        box.items = {"a": [10, 20]}
        handle = handle_of(_objects.get(box))
        try:
            self.assertIs(_objects._object((1, handle)), box)
            self.assertEqual(_objects.get((3, (3, (2, (1, handle), "items"), "a"), 1)), 20)
            self.assertEqual(_objects._object((4, [1, (1, handle)])), [1, box])
            self.assertEqual(_objects._object((5, [1, (0, (2,))])), (1, (2,)))
            self.assertEqual(_objects._object((6, [("k", (1, handle))])), {"k": box})
            self.assertEqual(_objects._object((9, [1, 2])), {1, 2})
            self.assertEqual(_objects._object((8, 1, None, 2)), slice(1, None, 2))
            with self.assertRaisesRegex(AttributeError, "missing"):
                _objects.get((2, (1, handle), "missing"))
        finally:
            _objects.release([handle])

    def test_attributes_and_items_change(self):
        box = Box()
        box.values = [1, 2, 3]
        handle = handle_of(_objects.get(box))
        try:
            _objects.set_attribute((1, handle), "name", "x")
            self.assertEqual(box.name, "x")
            _objects.delete_attribute((1, handle), "name")
            self.assertFalse(hasattr(box, "name"))
            _objects.set_item((2, (1, handle), "values"), (8, None, 2, None), (4, [7]))
            self.assertEqual(box.values, [7, 3])
            _objects.delete_item((2, (1, handle), "values"), 0)
            self.assertEqual(box.values, [3])
        finally:
            _objects.release([handle])

    def test_calls_take_argument_nodes_and_keywords(self):
        self.assertEqual(_objects.call("'-'.join".__class__, (), {}), "")  # str() of nothing
        handle = handle_of(_objects.get(Box()))
        try:
            self.assertEqual(_objects.call((2, "a-b", "split"), ("-",), {}), ["a", "b"])
            self.assertEqual(_objects.call((2, (0, (1,)), "count"), (1,), {}), 1)
            reply = _objects.call(dict, (), {"box": (1, handle)})
            inner = handle_of(reply)
            self.assertIs(_objects._table[inner][0]["box"], _objects._table[handle][0])
            _objects.release([inner])
        finally:
            _objects.release([handle])

    def test_an_awaitable_result_is_awaited_and_then_replied(self):
        async def later(n):
            return [n, Box()]

        pending = _objects.call(later, (2,), {})
        reply = asyncio.run(pending)
        self.assertEqual(reply[0], 1)  # the list holds a Box: a handle
        _objects.release([reply[1]])

    def test_operators_and_builtins(self):
        self.assertEqual(_objects.operate("add", 2, 3), 5)
        self.assertEqual(_objects.operate("len", [1, 2]), 2)
        self.assertEqual(_objects.operate("repr", "a"), "'a'")
        self.assertEqual(_objects.operate("neg", 4), -4)
        self.assertTrue(_objects.test("lt", 1, 2))
        self.assertTrue(_objects.test("contains", [1, 2], 2))
        self.assertFalse(_objects.test("truth", []))

    def test_lookup_evaluate_and_import(self):
        reply = _objects.lookup("os.path.join")
        self.assertEqual(_objects._object((1, handle_of(reply)))("a", "b"), "a/b")
        _objects.release([reply[1]])
        self.assertEqual(_objects.lookup("math.pi"), 3.141592653589793)
        reply = _objects.lookup("len")
        self.assertIs(_objects._table[reply[1]][0], len)
        _objects.release([reply[1]])
        with self.assertRaises(ModuleNotFoundError):
            _objects.lookup("no_such_module_here.x")
        self.assertEqual(_objects.evaluate("math.floor(2.5) + len('ab')"), 4)  # math imported on demand
        with self.assertRaises(NameError):
            _objects.evaluate("no_such_name_here")
        reply = _objects.import_module("json")
        self.assertEqual(reply[2], "module json")
        _objects.release([reply[1]])


class DecodingTests(unittest.TestCase):
    def test_plain_data_of_subclasses_and_opaque_objects(self):
        self.assertEqual(_objects.get(Level.LOW, 1), 1)
        self.assertEqual(_objects.get((0, (Level.LOW,)), 1), (0, (1,)))
        self.assertEqual(_objects.get(Box(), 1), (6, "test_objects.Box"))

    def test_buffers_without_numpy(self):
        self.assertEqual(_objects.get(array.array("d", [1.5, 2.0]), 2),
                         (2, "f8", (2,), array.array("d", [1.5, 2.0]).tobytes()))
        self.assertEqual(_objects.get(array.array("B", [1, 2]), 2), (2, "u1", (2,), b"\x01\x02"))
        self.assertEqual(_objects.get("not a buffer", 2), "not a buffer")

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_numpy_arrays(self):
        data = numpy.arange(6, dtype="float64").reshape(2, 3)
        self.assertEqual(_objects.get(data, 2), (2, "f8", (2, 3), data.tobytes()))
        self.assertEqual(_objects.get(data.T, 2)[3], numpy.ascontiguousarray(data.T).tobytes())  # C order
        swapped = numpy.arange(3, dtype=">i4")
        self.assertEqual(_objects.get(swapped, 2), (2, "i4", (3,), numpy.arange(3, dtype="<i4").tobytes()))
        self.assertEqual(_objects.get(numpy.array([True, False]), 2), (2, "b1", (2,), b"\x01\x00"))
        self.assertEqual(_objects.get(numpy.float32(1.5), 2), (2, "f4", (), numpy.float32(1.5).tobytes()))
        self.assertEqual(_objects.get([numpy.arange(2), numpy.arange(2)], 2)[:3], (2, "i8", (2, 2)))
        self.assertEqual(_objects.get(numpy.array(["a", "b"]), 2), ["a", "b"])  # not numbers: tolist()
        self.assertEqual(_objects.get(numpy.zeros(0), 2), (2, "f8", (0,), b""))

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_large_arrays_are_read_in_pieces(self):
        before = _objects.table_size()
        data = numpy.arange(300_000, dtype="float64")
        reply = _objects.get(data, 2)
        kind, dtype, shape, size, piece, handle = reply
        self.assertEqual((kind, dtype, shape, size), (3, "f8", (300_000,), data.nbytes))
        pieces = [_objects.read(handle[1], offset, piece).tobytes() for offset in range(0, size, piece)]
        self.assertEqual(b"".join(pieces), data.tobytes())
        _objects.release([handle[1]])
        self.assertEqual(_objects.table_size(), before)

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_numpy_scalars_are_numbers_and_arrays_come_from_bytes(self):
        self.assertEqual(_objects.get(numpy.float64(2.5)), 2.5)
        self.assertIs(type(_objects.get(numpy.int32(7))), int)
        self.assertIs(_objects.get(numpy.bool_(True)), True)
        self.assertEqual(_objects.get([numpy.int64(1), 2.0]), [1, 2.0])
        made = _objects._object((7, "f8", (2, 2), numpy.arange(4, dtype="float64").tobytes()))
        self.assertEqual(made.tolist(), [[0.0, 1.0], [2.0, 3.0]])
        self.assertTrue(made.flags.writeable)


class IterationTests(unittest.TestCase):
    def test_items_come_in_batches_until_the_end(self):
        kind, (iterator, first) = _objects.iterate(range(5), 2)
        self.assertEqual(kind, 5)
        self.assertEqual(first, (4, [0, 1], False))
        self.assertEqual(_objects.next_items(iterator[1], 10), (4, [2, 3, 4], True))
        _objects.release([iterator[1]])

    def test_an_exception_comes_after_the_items_before_it(self):
        def failing():
            yield 1
            yield Box()
            raise ValueError("late")

        _, (iterator, first) = _objects.iterate((0, (failing(),)), 1)  # a tuple node of one generator...
        _objects.release([iterator[1]])
        kind, (iterator, first) = _objects.iterate(failing(), 5)
        self.assertEqual(first[1][0], 1)
        self.assertEqual(first[1][1][0], 1)  # the Box is a handle
        self.assertFalse(first[2])
        with self.assertRaisesRegex(ValueError, "late"):
            _objects.next_items(iterator[1], 5)
        _objects.release([first[1][1][1], iterator[1]])
        self.assertEqual(_objects._failures, {})


class ContextTests(unittest.TestCase):
    def test_enter_and_leave(self):
        events = []

        class Manager:
            def __enter__(self):
                events.append("enter")
                return Box()

            def __exit__(self, kind, error, traceback):
                events.append((kind.__name__ if kind else None, str(error) if error else None))
                return True

        kind, (manager, value) = _objects.enter(Manager())
        self.assertEqual((kind, manager[0], value[0]), (5, 1, 1))
        self.assertFalse(_objects.leave(manager[1]) is None)
        _objects.leave(manager[1], "it failed")
        self.assertEqual(events, ["enter", (None, None), ("SwiftError", "it failed")])
        _objects.release([manager[1], value[1]])
        with self.assertRaisesRegex(TypeError, "context manager"):
            _objects.enter(3)


if __name__ == "__main__":
    unittest.main()
