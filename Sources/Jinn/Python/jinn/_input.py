"""Lines of standard input for a call from Swift: code that a call runs (a REPL execution) and that reads
``sys.stdin`` asks the Swift side for each line, by the id of the call."""

import _thread

from jinn._calls import Waiter, lock as _lock, threads as _threads
from jinn._protocol import INPUT

_channel = None
_inputs = {}                         # call id -> Waiter for a line of input
_get_ident = _thread.get_ident


def install(channel):
    """Handles the lines the Swift side sends on ``channel``."""
    global _channel
    _channel = channel
    channel.on(INPUT, _on_input)


def current_call_id():
    """The id of the call from Swift this thread runs, or None."""
    return _threads.get(_get_ident())


def request_input(prompt):
    """Asks the Swift side for a line of input for the call this thread runs; None means end of input."""
    call_id = current_call_id()
    if call_id is None:
        return None
    waiter = Waiter()
    with _lock:
        _inputs[call_id] = waiter
    me = _get_ident()
    try:
        _channel.send((INPUT, call_id, prompt))
        if _channel.reader == me:
            _channel.hand_off(me)  # the line must be read while this thread waits
        waiter.wait()
    finally:
        with _lock:
            _inputs.pop(call_id, None)
    return waiter.value


def _on_input(message):
    with _lock:
        waiter = _inputs.pop(message[1], None)
    if waiter is not None:
        waiter.resolve(True, message[2])
