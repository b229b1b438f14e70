"""Calls into Swift: ``jinn.call`` and ``jinn.acall``, and the replies that settle them.

Each call gets an id; the reply carries it back. A synchronous caller blocks on a ``jinn._calls.Waiter``, so that
cancelling the call from Swift that it runs interrupts the wait; a thread that reads the channel hands the reading
on before it waits, or nobody would read the reply. An asyncio caller awaits a future settled on its loop. A caller
that gives up tells the Swift side, whose handler's task is then cancelled.
"""

import _thread
import sys

import jinn
from jinn import _values
from jinn._calls import Waiter, lock as _lock, send_quietly as _send_quietly
from jinn._protocol import SWIFT_CALL, SWIFT_CANCEL, SWIFT_ERROR, SWIFT_RESULT

_channel = None
_swift_calls = {}                    # id -> Waiter or (loop, future)
_next_id = 0


def install(channel):
    """Handles the replies to calls into Swift on ``channel`` (again: a part may be installed twice)."""
    global _channel
    _channel = channel
    channel.on(SWIFT_RESULT, _on_swift_reply)
    channel.on(SWIFT_ERROR, _on_swift_reply)


def _connected():
    if _channel is None:
        from jinn import _rpc

        _rpc.connect()
        install(jinn._connection)  # unless the machinery, installed meanwhile, installed this part already
    return _channel


def _request(name, args, kwargs):
    if type(name) is not str:
        raise TypeError("the name of a Swift handler is a str, not %s" % type(name).__name__)
    if args and kwargs:
        raise TypeError("pass a Swift handler either positional arguments or keyword arguments, not both")
    if kwargs:
        value = kwargs
    elif len(args) == 1:
        value = args[0]
    elif args:
        value = list(args)
    else:
        value = None
    return _values.check(value, "the request")


def _new_id(entry):
    global _next_id
    with _lock:
        _next_id += 1
        _swift_calls[_next_id] = entry
        return _next_id


def call(name, /, *args, **kwargs):
    """Calls the Swift handler registered as ``name`` and returns its response; see ``jinn.call``."""
    _connected()
    request = _request(name, args, kwargs)
    running = sys.modules.get("asyncio")
    if running is not None and running._get_running_loop() is not None:
        raise RuntimeError("jinn.call(%r) would block the event loop; use 'await jinn.acall(...)' in async code"
                           % name)
    waiter = Waiter()
    call_id = _new_id(waiter)
    me = _thread.get_ident()
    try:
        _channel.send((SWIFT_CALL, call_id, name, request))
        if _channel.reader == me:
            _channel.hand_off(me)  # the reply must be read while this thread waits
        waiter.wait()
    except BaseException:
        _give_up(call_id)
        raise
    if waiter.ok:
        return waiter.value
    raise jinn.SwiftError(*waiter.value)


async def acall(name, /, *args, **kwargs):
    """Calls the Swift handler registered as ``name`` from asyncio code; see ``jinn.acall``."""
    import asyncio
    _connected()
    request = _request(name, args, kwargs)
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    call_id = _new_id((loop, future))
    try:
        _channel.send((SWIFT_CALL, call_id, name, request))
        return await future
    except BaseException:
        _give_up(call_id)
        raise


def _give_up(call_id):
    # The caller was interrupted: a call still waiting for its reply is cancelled on the Swift side too.
    with _lock:
        pending = _swift_calls.pop(call_id, None)
    if pending is not None:
        _send_quietly((SWIFT_CANCEL, call_id))


def _on_swift_reply(message):
    with _lock:
        entry = _swift_calls.pop(message[1], None)
    if entry is None:
        return
    ok = message[0] == SWIFT_RESULT
    value = message[2] if ok else (message[2], message[3] if len(message) > 3 else "")
    if type(entry) is tuple:
        loop, future = entry
        loop.call_soon_threadsafe(_settle, future, ok, value)
    else:
        entry.resolve(ok, value)


def _settle(future, ok, value):
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(jinn.SwiftError(*value))
