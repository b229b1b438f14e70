"""The Python half of calls between Swift and Python, driven over a real socket by a peer that speaks the protocol
the way the Swift side does."""

import asyncio
import sys
import threading
import time
import types
import unittest

import support  # noqa: F401  (puts the jinn sources on the path)

import jinn
import rpc_peer
from jinn._importer import MemoryFinder

try:
    import numpy
except ImportError:
    numpy = None

FRAMES_FIXTURE = """import jinn


def outer(name):
    return middle(name)


def middle(name):
    return jinn.call(name, 0)


def wrapped(name):
    try:
        middle(name)
    except jinn.SwiftError as error:
        raise LookupError("wrapped") from error
"""


peer = None


def setUpModule():
    global peer
    peer = rpc_peer.connect()
    module = types.ModuleType("rpc_fixture")
    exec(FIXTURE, module.__dict__)
    sys.modules["rpc_fixture"] = module


FIXTURE = '''
import asyncio, threading, time, jinn

state = {"count": 0}

def add(a, b):
    return a + b

def echo(value=None, **keywords):
    return keywords if keywords else value

def nothing():
    pass

def fail():
    try:
        {}["missing"]
    except KeyError as error:
        raise ValueError("bad value") from error

def spin():
    count = 0
    while True:
        count += 1

def sleep(seconds):
    time.sleep(seconds)
    return seconds

gate = threading.Event()

def wait_at_gate():
    gate.wait()
    return "through"

def open_gate():
    gate.set()

def complex_result():
    return 1 + 2j

def enum_results():
    import enum
    class Level(enum.IntEnum):
        LOW = 1
        HIGH = 3
    class Colour(str, enum.Enum):
        RED = "red"
    return {Level.HIGH: [Level.LOW, Colour.RED], "flag": enum.IntFlag("Mode", "R W")(3)}

def numpy_result(kind):
    import numpy
    return {"float64": numpy.float64(1.5), "int64": numpy.int64(7), "bool": numpy.bool_(True),
            "float32": numpy.float32(0.25), "nested": [numpy.arange(3).sum(), {numpy.int8(2): (numpy.bool_(False),)}],
            "complex": numpy.complex128(1)}[kind]

async def async_numpy_result():
    import numpy
    return numpy.float64(2.5)

def nested_unsendable():
    return {"ok": [1, 2, object()]}

def big(size):
    return b"x" * size

async def async_add(a, b):
    await asyncio.sleep(0)
    return a + b

async def async_forever():
    await asyncio.sleep(3600)

def ask_swift(name, value):
    return jinn.call(name, value)

def ask_swift_keywords():
    return jinn.call("greet", name="Ada", polite=True)

async def ask_swift_async(name, value):
    return await jinn.acall(name, value)

def partial_async():
    return async_add(2, 3)

class Greeter:
    prefix = "Hello"
    @staticmethod
    def shout(text):
        return text.upper()
    def greet(self, name):
        return "%s, %s" % (self.prefix, name)

@jinn.expose
class Counter:
    """Counts."""
    def __init__(self, start=0):
        self.total = start
    def add(self, n=1):
        """Adds n and returns the total."""
        self.total += n
        return self.total
    async def later(self):
        return self.total
    def _secret(self):
        return "hidden"
    @property
    def doubled(self):
        raise AssertionError("discovery must not read properties")

class Plain:
    pass

class Derived(jinn.Service):
    def ping(self):
        return "pong"
'''


class CallTests(unittest.TestCase):
    def test_call_by_dotted_name(self):
        self.assertEqual(peer.value("rpc_fixture.add", 1, 2), 3)
        self.assertEqual(peer.value("math.sqrt", 16.0), 4.0)
        self.assertEqual(peer.value("os.path.join", "a", "b"), "a/b")
        self.assertEqual(peer.value("len", [1, 2, 3]), 3)

    def test_a_module_another_thread_is_importing_is_waited_for(self):
        import importlib.abc
        import importlib.util
        import threading

        started, release = threading.Event(), threading.Event()

        class SlowModule(importlib.abc.Loader):
            def create_module(self, spec):
                return None

            def exec_module(self, module):
                started.set()
                release.wait(10)
                module.value = lambda: "ready"

        class Finder(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name == "rpc_slow_module":
                    return importlib.util.spec_from_loader(name, SlowModule())
                return None

        sys.meta_path.insert(0, Finder())
        try:
            importer = threading.Thread(target=importlib.import_module, args=("rpc_slow_module",))
            importer.start()
            started.wait(10)
            call_id = peer.start_call("rpc_slow_module.value")
            release.set()
            self.assertEqual(peer.reply(call_id), ("result", call_id, "ready"))
            importer.join()
        finally:
            sys.meta_path.pop(0)

    def test_class_methods_and_static_methods(self):
        self.assertEqual(peer.value("rpc_fixture.Greeter.shout", "hi"), "HI")
        self.assertEqual(peer.value("rpc_fixture.Greeter.prefix.lower"), "hello")

    def test_keyword_arguments(self):
        self.assertEqual(peer.value("rpc_fixture.echo", a=1, b=[2]), {"a": 1, "b": [2]})

    def test_none_gets_a_reply(self):
        self.assertEqual(peer.call("rpc_fixture.nothing"), ("result", peer.next_id, None))

    def test_exception_becomes_an_error_report_with_its_cause(self):
        message = peer.call("rpc_fixture.fail")
        self.assertEqual(message[0], "error")
        report = message[2]
        self.assertEqual(report["type"], "ValueError")
        self.assertEqual(report["message"], "bad value")
        self.assertEqual(report["cause"]["type"], "KeyError")
        self.assertTrue(any(frame[2] == "fail" for frame in report["frames"]))

    def test_missing_names_are_named(self):
        report = peer.call("no_such_module_xyz.f")[2]
        self.assertEqual(report["type"], "ModuleNotFoundError")
        self.assertIn("no_such_module_xyz", report["message"])
        report = peer.call("math.no_such_function")[2]
        self.assertEqual(report["type"], "AttributeError")
        self.assertIn("no_such_function", report["message"])
        report = peer.call("rpc_fixture.Greeter.missing")[2]
        self.assertIn("missing", report["message"])
        report = peer.call("not a name")[2]
        self.assertEqual(report["type"], "ValueError")

    def test_an_unsendable_result_names_its_type(self):
        report = peer.call("rpc_fixture.complex_result")[2]
        self.assertEqual(report["type"], "TypeError")
        self.assertIn("builtins.complex", report["message"])
        report = peer.call("rpc_fixture.nested_unsendable")[2]
        self.assertIn("the result['ok'][2]", report["message"])
        self.assertIn("builtins.object", report["message"])

    def test_results_of_subclasses_travel_as_their_plain_type(self):
        self.assertEqual(peer.call("rpc_fixture.enum_results")[2], {3: [1, "red"], "flag": 3})

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_numpy_scalar_results_travel_as_bool_int_and_float(self):
        for kind, expected, kind_of_value in [("float64", 1.5, float), ("int64", 7, int), ("bool", True, bool),
                                              ("float32", 0.25, float)]:
            with self.subTest(kind=kind):
                message = peer.call("rpc_fixture.numpy_result", kind)
                self.assertEqual(message[0], "result", message)
                self.assertIs(type(message[2]), kind_of_value)
                self.assertEqual(message[2], expected)
        self.assertEqual(peer.value("rpc_fixture.numpy_result", "nested"), [3, {2: (False,)}])
        self.assertEqual(peer.value("rpc_fixture.async_numpy_result"), 2.5)
        report = peer.call("rpc_fixture.numpy_result", "complex")[2]
        self.assertEqual(report["type"], "TypeError")
        self.assertIn("cannot send the result of type numpy.complex128", report["message"])

    def test_a_result_over_the_limit_is_refused_and_the_channel_survives(self):
        report = peer.call("rpc_fixture.big", 2 << 20)[2]
        self.assertIn("limit", report["message"])
        self.assertEqual(len(peer.value("rpc_fixture.big", 1000)), 1000)

    def test_async_functions_run_on_the_event_loop(self):
        self.assertEqual(peer.value("rpc_fixture.async_add", 2, 3), 5)
        self.assertEqual(peer.value("rpc_fixture.partial_async"), 5)

    def test_a_slow_call_does_not_block_the_others(self):
        blocked = peer.start_call("rpc_fixture.wait_at_gate")
        self.assertEqual(peer.value("rpc_fixture.add", 1, 1), 2)
        peer.value("rpc_fixture.open_gate")
        self.assertEqual(peer.reply(blocked)[2], "through")

    def test_many_calls_in_flight(self):
        ids = [peer.start_call("rpc_fixture.add", i, i) for i in range(500)]
        self.assertEqual([peer.reply(call_id)[2] for call_id in ids], [2 * i for i in range(500)])

    def test_cancel_interrupts_a_running_call_with_keyboard_interrupt(self):
        call_id = peer.start_call("rpc_fixture.spin")
        time.sleep(0.05)
        peer.send(("cancel", call_id))
        report = peer.reply(call_id)[2]
        self.assertEqual(report["type"], "KeyboardInterrupt")
        self.assertEqual(peer.value("rpc_fixture.add", 2, 2), 4)

    def test_cancel_cancels_an_async_task(self):
        call_id = peer.start_call("rpc_fixture.async_forever")
        time.sleep(0.05)
        peer.send(("cancel", call_id))
        self.assertIn("CancelledError", peer.reply(call_id)[2]["type"])

    def test_cancel_of_a_finished_call_is_harmless(self):
        call_id = peer.start_call("rpc_fixture.add", 1, 1)
        peer.reply(call_id)
        peer.send(("cancel", call_id))
        self.assertEqual(peer.value("rpc_fixture.add", 3, 3), 6)


class DeferredReplyTests(unittest.TestCase):
    def test_a_thread_that_no_longer_reads_sends_at_once(self):
        import _thread
        import socket

        from jinn import _channel

        ours, theirs = socket.socketpair()
        theirs.settimeout(10)
        channel = _channel.Channel(ours.fileno())
        me = _thread.get_ident()
        channel.reader = me
        channel.defer(b"first", me)  # the reading thread: waits for the flush
        channel.reader = None        # the role passed on (a slow call was handed off)
        channel.defer(b"second", me)
        self.assertEqual(theirs.recv(100), (6).to_bytes(4, "little") + b"second")
        channel.flush()
        self.assertEqual(theirs.recv(100), (5).to_bytes(4, "little") + b"first")
        ours.close()
        theirs.close()


class ServeTests(unittest.TestCase):
    def test_a_stop_that_comes_before_serve_makes_it_return_at_once(self):
        from jinn import _serve

        peer.send(("stop",))
        deadline = time.monotonic() + 5
        while not _serve._stop_early and time.monotonic() < deadline:
            time.sleep(0.01)
        # Without the early stop remembered, serve() would wait for a second one.
        rescue = threading.Timer(5, peer.send, (("stop",),))
        rescue.start()
        started = time.monotonic()
        try:
            jinn.serve()
        finally:
            rescue.cancel()
        self.assertLess(time.monotonic() - started, 2)
        self.assertEqual(peer.value("rpc_fixture.add", 1, 2), 3)  # calls are still served

    def test_the_main_thread_takes_calls_before_it_says_it_serves(self):
        from jinn import _serve

        seen = []
        original = _serve._send_quietly

        def send_quietly(message):
            if message == ("serving",):
                seen.append(_serve._main_wants_role)  # what a call sent the moment Swift hears it would find
                peer.send(("stop",))
            original(message)

        _serve._send_quietly = send_quietly
        try:
            jinn.serve()
        finally:
            _serve._send_quietly = original
        self.assertEqual(seen, [True])


class SwiftCallTests(unittest.TestCase):
    def setUp(self):
        peer.handlers["double"] = lambda value: value * 2
        peer.handlers["greet"] = lambda value: "Hi %s" % value["name"]
        peer.handlers["fails"] = lambda value: (_ for _ in ()).throw(RuntimeError("the Swift side said no"))

    def test_call_from_a_call(self):
        self.assertEqual(peer.value("rpc_fixture.ask_swift", "double", 21), 42)
        self.assertEqual(peer.value("rpc_fixture.ask_swift_keywords"), "Hi Ada")

    def test_acall_from_async_code(self):
        self.assertEqual(peer.value("rpc_fixture.ask_swift_async", "double", 4), 8)

    def test_a_swift_error_is_an_exception_with_its_description(self):
        report = peer.call("rpc_fixture.ask_swift", "fails", 0)[2]
        self.assertEqual(report["type"], "jinn.SwiftError")
        self.assertEqual(report["message"], "the Swift side said no")
        report = peer.call("rpc_fixture.ask_swift", "nobody", 0)[2]
        self.assertIn("nobody", report["message"])

    def test_a_swift_error_report_leaves_jinn_frames_out(self):
        from jinn import _errors

        finder = MemoryFinder([("rpc_frames_fixture", "<jinn>/rpc_frames_fixture.py", FRAMES_FIXTURE, False)])
        sys.meta_path.insert(0, finder)
        try:
            report = peer.call("rpc_frames_fixture.outer", "fails")[2]
            wrapped = peer.call("rpc_frames_fixture.wrapped", "fails")[2]
        finally:
            sys.meta_path.remove(finder)
            sys.modules.pop("rpc_frames_fixture", None)
        path = "<jinn>/rpc_frames_fixture.py"
        self.assertEqual(report["type"], "jinn.SwiftError")
        self.assertEqual(report["frames"], [(path, 5, "outer", "return middle(name)"),
                                            (path, 9, "middle", "return jinn.call(name, 0)")])
        self.assertNotIn(_errors.PACKAGE_DIRECTORY, report["traceback"])
        self.assertIn('  File "<jinn>/rpc_frames_fixture.py", line 9, in middle\n    return jinn.call(name, 0)\n',
                      report["traceback"])
        self.assertTrue(report["traceback"].endswith("\njinn.SwiftError: the Swift side said no\n"))
        self.assertEqual([frame[2] for frame in wrapped["frames"]], ["wrapped"])
        self.assertEqual(wrapped["cause"]["frames"], [(path, 14, "wrapped", "middle(name)"),
                                                      (path, 9, "middle", "return jinn.call(name, 0)")])
        self.assertNotIn(_errors.PACKAGE_DIRECTORY, wrapped["traceback"])
        self.assertNotIn(_errors.PACKAGE_DIRECTORY, wrapped["cause"]["traceback"])

    def test_requests_with_subclasses_travel_as_their_plain_type(self):
        import enum

        class Level(enum.IntEnum):
            HIGH = 3

        peer.handlers["echo"] = lambda value: value
        self.assertEqual(jinn.call("echo", [Level.HIGH, {Level.HIGH: "x"}]), [3, {3: "x"}])
        self.assertEqual(jinn.call("echo", level=Level.HIGH), {"level": 3})
        if numpy is not None:
            echoed = jinn.call("echo", numpy.float64(0.5), numpy.int64(2), numpy.bool_(True))
            self.assertEqual(echoed, [0.5, 2, True])
            self.assertEqual([type(value) for value in echoed], [float, int, bool])

    def test_messages_with_subclasses_travel_as_their_plain_type(self):
        import enum

        class Level(enum.IntEnum):
            HIGH = 3

        sent = {"level": Level.HIGH, "values": [numpy.float32(1.5), numpy.int16(4)] if numpy is not None else [1.5, 4]}
        jinn.send(sent)
        message = peer.wait_for(lambda event: event[0] == "message" and event[1].get("level") == 3)
        self.assertEqual(message[1], {"level": 3, "values": [1.5, 4]})
        self.assertEqual([type(value) for value in message[1]["values"]], [float, int])

    def test_nested_calls_do_not_deadlock(self):
        # Swift -> Python -> Swift -> Python: the handler calls back into Python while the first call waits.
        peer.handlers["back"] = lambda value: peer.value("rpc_fixture.add", value, 1)
        self.assertEqual(peer.value("rpc_fixture.ask_swift", "back", 41), 42)

    def test_jinn_call_refuses_to_block_an_event_loop(self):
        async def main():
            jinn.call("double", 1)
        with self.assertRaises(RuntimeError):
            asyncio.run(main())

    def test_requests_are_checked(self):
        with self.assertRaises(TypeError):
            jinn.call("double", object())
        with self.assertRaises(TypeError):
            jinn.call("double", 1, x=2)

    def test_cancelling_a_call_that_waits_for_swift(self):
        # The Swift handler never answers by itself: only the cancellation can end the call.
        entered, never = threading.Event(), threading.Event()
        peer.handlers["slow"] = lambda value: (entered.set(), never.wait(60))
        call_id = peer.start_call("rpc_fixture.ask_swift", "slow", 0)
        self.assertTrue(entered.wait(10))
        peer.send(("cancel", call_id))
        self.assertEqual(peer.reply(call_id)[2]["type"], "KeyboardInterrupt")
        peer.wait_for(lambda event: event[0] == "swift.cancel")
        never.set()


class ServiceTests(unittest.TestCase):
    def test_created_instance_keeps_state(self):
        handle = peer.value("jinn._rpc.create_service", "rpc_fixture.Counter", (5,), {})
        self.assertEqual(peer.value((handle, "add"), 2), 7)
        self.assertEqual(peer.value((handle, "add")), 8)
        self.assertEqual(peer.value((handle, "later")), 8)
        peer.value("jinn._rpc.release_service", handle)
        self.assertIn("no longer exists", peer.call((handle, "add"))[2]["message"])

    def test_discovery_lists_public_methods_with_signatures_and_docs(self):
        handle = peer.value("jinn._rpc.create_service", "rpc_fixture.Counter", (), {})
        methods = peer.value("jinn._rpc.describe_service", handle)
        self.assertEqual([method[0] for method in methods], ["add", "later"])
        self.assertEqual(methods[0], ("add", "(n=1)", "Adds n and returns the total.", False))
        self.assertTrue(methods[1][3])

    def test_private_methods_and_unexposed_classes_are_refused(self):
        handle = peer.value("jinn._rpc.create_service", "rpc_fixture.Counter", (), {})
        self.assertIn("private", peer.call((handle, "_secret"))[2]["message"])
        report = peer.call("jinn._rpc.create_service", "rpc_fixture.Plain", (), {})[2]
        self.assertIn("@jinn.expose", report["message"])
        self.assertIsInstance(peer.value("jinn._rpc.create_service", "rpc_fixture.Derived", (), {}), int)

    def test_objects_exposed_by_name(self):
        jinn.expose(sys.modules["rpc_fixture"].Counter(10), name="shared")
        self.assertEqual(peer.value(("shared", "add"), 1), 11)
        self.assertIn("no service", peer.call(("other", "add"))[2]["message"])


if __name__ == "__main__":
    unittest.main()
