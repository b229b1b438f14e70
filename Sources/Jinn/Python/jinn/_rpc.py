"""Calls between Swift and Python over the message channel: the surface the rest of the package uses.

The machinery loads with the first message that needs it (see ``jinn._connect``), in parts that each keep their
own state:

* ``jinn._serve``: where a call from Swift runs, and ``jinn.serve()``, which serves calls on the main thread;
* ``jinn._calls``: running a call from Swift, its one reply and its cancellation, the watchdog that hands a slow
  call's reading on, and the event loop of ``async def`` calls;
* ``jinn._targets``: what a call's dotted name names;
* ``jinn._services``: the objects of Python services and their methods;
* ``jinn._swift``: calls into Swift, ``jinn.call`` and ``jinn.acall``;
* ``jinn._input``: lines of standard input for the code a call runs.

The parts a plain call from Swift does not need load with their first use, through this module's attributes
(each module costs a first call about a tenth of a millisecond). The kinds of message, and what each carries,
are listed in ``jinn._protocol``.
"""

import jinn
from jinn import _calls, _serve
from jinn._calls import send as send_payload  # noqa: F401  (for jinn._repl)
from jinn._serve import main_thread, serve  # noqa: F401

_channel = None
_main_ident = None

# The attributes that load a part with their first use: jinn uses call and acall, jinn._repl the input functions,
# and the Swift side calls the services' functions by these names (jinn._rpc.create_service).
_LAZY = {
    "call": "_swift", "acall": "_swift",
    "current_call_id": "_input", "request_input": "_input",
    "create_service": "_services", "describe_service": "_services", "release_service": "_services",
}
_INSTALLED_LATER = ("_swift", "_input")  # the lazy parts that handle messages of their own


def install(channel, main_ident):
    """Handles the call messages on ``channel``; ``main_ident`` is the main thread's identity."""
    global _channel, _main_ident
    if _channel is channel:
        return
    _channel = channel
    _main_ident = main_ident
    _calls.install(channel, main_ident)
    _serve.install(channel, main_ident)
    for name in _INSTALLED_LATER:
        part = getattr(jinn, name, None)  # a part loaded before the channel came
        if part is not None:
            part.install(channel)


def connect():
    """Installs the machinery on the channel of ``jinn``, for a program that calls into Swift or serves before any
    message came; raises RuntimeError in an interpreter that Jinn did not start."""
    if jinn._connection is None:
        raise RuntimeError("this interpreter was not started by Jinn, so there is no Swift side to talk to")
    install(jinn._connection, jinn._main_ident)


def dispatch(message):
    """Handles one message of a kind :func:`install` registered."""
    _channel._handlers[message[0]](message)


def __getattr__(name):
    part_name = _LAZY.get(name)
    if part_name is None:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    import importlib

    part = importlib.import_module("jinn." + part_name)
    if _channel is not None and part_name in _INSTALLED_LATER:
        part.install(_channel)
    value = getattr(part, name)
    globals()[name] = value
    return value
