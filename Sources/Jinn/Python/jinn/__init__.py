"""The Python side of Jinn.

A program started by Jinn imports this package to talk to the Swift program that started it::

    import jinn

    threshold = jinn.threshold          # a value the Swift side set, also in jinn.values["threshold"]
    jinn.send({"status": "ready"})      # arrives in Swift on PythonProcess.messages
    reply = jinn.receive(timeout=5)     # a value the Swift side sent with PythonProcess.send(_:)

    total = jinn.call("sum", [1, 2, 3])  # a handler the Swift side registered
    jinn.serve()                        # serve calls from Swift until it stops the server
"""

__all__ = ["values", "send", "receive", "is_connected", "call", "acall", "serve", "expose", "Service", "exposed",
           "SwiftError", "shared_array", "create_shared_array", "open_shared_memory", "create_shared_memory",
           "unlink_shared_memory", "SharedArrayError", "SharedSemaphore", "SharedLock", "SharedEvent"]

#: The key/value pairs the Swift program set on the program; each is also an attribute of this module.
values = {}
_descriptor_socket = None  # the socket on which anonymous shared memory crosses, when the library started us

#: Objects exposed to the Swift side by name with ``expose(obj, name=...)``.
exposed = {}

_connection = None
_inbox = None
_main_ident = None

#: The kinds of message the call machinery handles (jinn._protocol: CALL, CANCEL, SWIFT_RESULT, SWIFT_ERROR, INPUT,
#: STOP), as literals: importing jinn._protocol would cost every start a module.
_CALL_KINDS = ("call", "cancel", "swift.result", "swift.error", "input", "stop")


def is_connected():
    """Whether this interpreter was started by Jinn and can talk to the Swift side."""
    return _connection is not None


def send(value):
    """Sends a value to the Swift side, where it arrives on ``PythonProcess.messages``.

    The value may be None, a bool, int, float, str, bytes, or a list, tuple, dict or set of these; values of their
    subclasses (``IntEnum`` members, ``numpy.float64``) and numpy's bool, integer and floating scalars travel as
    the plain type.
    """
    from jinn import _values

    # The kinds are literals in this module: importing jinn._protocol would cost every start a module.
    _require_channel().send(("message", _values.check(value)))  # MESSAGE


def receive(timeout=None):
    """Returns the next value the Swift side sent with ``PythonProcess.send(_:)``.

    Waits at most ``timeout`` seconds (forever when None) and raises ``TimeoutError`` when nothing came.
    """
    _require_channel()
    import _queue

    try:
        return _inbox.get(timeout=timeout)
    except _queue.Empty:
        raise TimeoutError("no message from the Swift side within %s seconds" % timeout) from None


def call(name, /, *args, **kwargs):
    """Calls the Swift handler registered under ``name`` and returns its response.

    The request is the one positional argument, a list of several, the keyword arguments as a dict, or None
    without arguments; it decodes into the handler's request type. A failing handler raises :class:`SwiftError`
    carrying the Swift error's description. From ``async def`` code use :func:`acall`::

        total = jinn.call("add", a=1, b=2)
    """
    from jinn import _rpc

    return _rpc.call(name, *args, **kwargs)


async def acall(name, /, *args, **kwargs):
    """Calls a Swift handler from asyncio code, as :func:`call` does: ``total = await jinn.acall("add", 1, 2)``."""
    from jinn import _rpc

    return await _rpc.acall(name, *args, **kwargs)


def serve():
    """Serves calls from Swift on the main thread until the Swift side stops the server, then returns.

    Calls from Swift are served from the start whatever the main thread does; a program that has nothing else to
    do ends with ``jinn.serve()`` so that it keeps running, and REPL sessions then run on the main thread.
    """
    from jinn import _rpc

    _rpc.serve()


def expose(target=None, name=None):
    """Exposes a class or an object to the Swift side, whose code calls their public methods by name.

    As a class decorator, it lets Swift create instances (``PythonProcess.makeService``)::

        @jinn.expose
        class Counter:
            def add(self, n=1):
                self.total = getattr(self, "total", 0) + n
                return self.total

    Called with an object and a name, it publishes that object (``PythonProcess.service(named:)``)::

        jinn.expose(Counter(), name="counter")

    Public methods are those whose names do not start with an underscore; ``async def`` methods run on an event
    loop. Returns ``target``.
    """
    if target is None:
        return lambda target: expose(target, name)
    if isinstance(target, type):
        target.__jinn_exposed__ = True
        if name is not None:
            raise TypeError("a class is exposed without a name; expose an instance to publish it by name")
        return target
    if not isinstance(name, str) or not name:
        raise TypeError("expose(obj, name=...) needs a non-empty name for the Swift side to find the object by")
    exposed[name] = target
    return target


class Service:
    """A base class whose subclasses are exposed to the Swift side, as with ``@jinn.expose``."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.__jinn_exposed__ = True


class SwiftError(Exception):
    """A Swift handler failed; ``str(error)`` is the Swift error's description, ``type_name`` its Swift type."""

    def __init__(self, description, type_name=""):
        super().__init__(description)
        self.description = description
        self.type_name = type_name


def shared_array(name):
    """The numpy array in the named shared memory ``name`` (made by Swift's ``SharedArray(shape:name:)`` or by
    ``create_shared_array``): an ndarray over the same pages, so what either side writes the other sees. Opening
    it neither changes nor unlinks it. ``FileNotFoundError`` for a missing name, ``SharedArrayError`` for a header
    that is not an array's."""
    from jinn import _shared

    return _shared.shared_array(name)


def create_shared_array(name, shape, dtype="float64", order="C"):
    """A new named shared array of zeros, owned by this process (unlinked at exit, also when killed), which Swift
    opens with ``SharedArray<Element>(opening: name)``."""
    from jinn import _shared

    return _shared.create_shared_array(name, shape, dtype, order)


def open_shared_memory(name):
    """The existing named segment ``name``, mapped: ``.buf`` is a memoryview of its bytes. Unlike
    ``multiprocessing.shared_memory`` on Python 3.9 to 3.12, no resource tracker unlinks it when this process
    ends."""
    from jinn import _segments

    return _segments.open_segment(name)


def create_shared_memory(name, size):
    """A new named segment of ``size`` zero bytes, owned by this process (unlinked at exit, also when killed)."""
    from jinn import _segments

    return _segments.create_segment(name, size)


def unlink_shared_memory(name):
    """Removes the name of a segment or shared array; processes that mapped it keep their mappings."""
    from jinn import _segments

    _segments.unlink(name)


def __getattr__(name):
    # The shared-memory classes load with their first use, so that a program that uses none pays nothing.
    if name == "SharedArrayError":
        from jinn import _shared
        return _shared.SharedArrayError
    if name in ("SharedSemaphore", "SharedLock", "SharedEvent"):
        from jinn import _semaphores
        return getattr(_semaphores, name)
    raise AttributeError("module 'jinn' has no attribute %r" % name)


def _require_channel():
    if _connection is None:
        raise RuntimeError("this interpreter was not started by Jinn, so there is no Swift side to talk to")
    return _connection


def _connect(channel, program_values):
    global _connection, _inbox, _main_ident
    import _queue
    import _thread

    reserved = set(globals())
    for name, value in program_values.items():
        if name in reserved:
            raise ValueError("the value name %r is reserved by the jinn module" % name)
        globals()[name] = value
    values.update(program_values)
    _inbox = _queue.SimpleQueue()
    channel.on("message", lambda message: _inbox.put(message[1]))  # MESSAGE
    _connection = channel
    # The call machinery loads with the first message that needs it, so that programs that make no calls do not
    # pay for compiling it at start-up.
    _main_ident = _thread.get_ident()

    def first_call_message(message):
        from jinn import _rpc

        _rpc.install(channel, _main_ident)
        _rpc.dispatch(message)

    for kind in _CALL_KINDS:
        channel.on(kind, first_call_message)

