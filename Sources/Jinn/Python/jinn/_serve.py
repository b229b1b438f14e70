"""Where a call from Swift runs, and ``jinn.serve()``, which serves calls on the main thread.

A synchronous call runs on the thread that read it (``jinn._calls``), an ``async def`` one on the event loop.
While the main thread waits in :func:`serve`, calls run there instead: only the main thread's blocking system calls
can be interrupted (by a real SIGINT) when a call times out or is cancelled. A main thread that serves with
nothing to do takes the reading over, with the call that came or before the reading thread waits for input, so
that the calls after it run there too without a switch of threads. Functions marked with :func:`main_thread` (REPL
executions) are queued for the main thread while it serves, when it is busy.
"""

import _thread

from jinn._calls import cancelled as _cancelled
from jinn._calls import error_payload as _error_payload
from jinn._calls import lock as _lock
from jinn._calls import run as _run
from jinn._calls import running as _running
from jinn._calls import send as _send
from jinn._calls import send_quietly as _send_quietly
from jinn._calls import start_async as _start_async
from jinn._protocol import CALL, SERVING, STOP
from jinn._targets import resolve as _resolve

_channel = None
_main_ident = None
_main_functions = set()              # functions that run on the main thread while it serves
_main_queue = None                   # the queue jinn.serve() works from, while it runs
_main_wants_role = False             # jinn.serve() waits with nothing to do: the main thread would read
_stop_early = False                  # a stop came before jinn.serve() started: it returns at once
_READ = object()                     # a job for jinn.serve(): read the channel on the main thread

_CO_COROUTINE = 0x80
_FUNCTION = type(lambda: None)
_SYNC, _ASYNC, _MAIN = 0, 1, 2
_get_ident = _thread.get_ident


def install(channel, main_ident):
    """Handles calls and stops on ``channel``; ``main_ident`` is the main thread's identity."""
    global _channel, _main_ident
    _channel = channel
    _main_ident = main_ident
    channel.on(CALL, _on_call)
    channel.on(STOP, _on_stop)
    channel.before_wait = _offer_role


def main_thread(function):
    """Marks a function to run on the main thread while it serves (see :func:`serve`)."""
    _main_functions.add(function)
    return function


def _on_call(message):
    global _main_wants_role
    call_id = message[1]
    try:
        target = message[2]
        function = _resolve(target) if type(target) is str else _service_method(target)
        kind = _kind(function)
    except BaseException as error:
        _send(_error_payload(call_id, error))
        return
    if kind == _ASYNC:
        _start_async(call_id, function, message[3], message[4])
        return
    me = _get_ident()
    if me != _main_ident and _main_wants_role:
        with _lock:
            if _main_wants_role and _main_queue is not None and _channel.give_up(me):
                _main_wants_role = False
                _main_queue.put((_READ, message))
                return
    if kind == _MAIN and me != _main_ident:
        with _lock:
            queue = _main_queue
            if queue is not None:
                _running[call_id] = _main_ident
                queue.put((call_id, function, message[3], message[4]))
                return
    _run(call_id, function, message[3], message[4], True)


def _service_method(target):
    # Replaced by jinn._services.method when a call first names a service's method: programs without services do
    # not load them.
    global _service_method
    from jinn._services import method

    _service_method = method
    return method(target)


def _kind(function):
    if type(function) is _FUNCTION:
        code = function.__code__
    else:
        code = getattr(getattr(function, "__func__", None), "__code__", None)
    if code is not None and code.co_flags & _CO_COROUTINE:
        return _ASYNC
    if function in _main_functions:
        return _MAIN
    return _SYNC  # builtins, classes and callable objects; a coroutine they return is awaited on the loop


def serve():
    """Serves calls from Swift on the main thread until the Swift side stops the server, then returns.

    Calls are served from the moment the program starts, whatever its main thread does; while it serves, the main
    thread reads the channel itself, so that REPL executions run there at once, and Ctrl-C and timeouts interrupt
    even blocking system calls.
    """
    global _main_queue, _main_wants_role, _stop_early
    if _channel is None:
        from jinn import _rpc

        _rpc.connect()
    if _thread.get_ident() != _main_ident:
        raise RuntimeError("jinn.serve() must run on the main thread")
    import _queue
    queue = _queue.SimpleQueue()
    with _lock:
        _main_queue = queue
        if _stop_early:
            _stop_early = False
            queue.put(None)
        # Idle from now on, before Swift hears that the program serves: its first call must find the main thread
        # taking calls, or it would run on the reading thread, where a timeout cannot break a blocking call.
        _main_wants_role = queue.empty()
    _send_quietly((SERVING,))  # a Swift side that waits for the set-up to end may now return the process
    try:
        while True:
            try:
                with _lock:
                    # Offered the reading only with nothing queued: a job queued behind the offer would wait
                    # while this thread reads.
                    _main_wants_role = queue.empty()
                job = queue.get()
                with _lock:
                    _main_wants_role = False
                if job is None:
                    return
                if job is _READ:
                    _channel.read_here()
                elif job[0] is _READ:
                    # The reading thread gave the role up to hand this call over: it runs here as on a reader.
                    _channel.take_over(_main_ident)
                    _on_call(job[1])
                    if _channel.still_reads(_main_ident):
                        _channel.read_here()
                else:
                    _run(job[0], job[1], job[2], job[3], False)
            except KeyboardInterrupt:  # a Ctrl-C aimed at a call that had just ended
                continue
    finally:
        with _lock:
            _main_queue = None
            _main_wants_role = False
        # Calls queued behind the stop still get their one reply.
        while not queue.empty():
            job = queue.get()
            if job is not None and job is not _READ and job[0] is _READ:
                # The reading came with this call: it goes on on a new thread, for the program after serve().
                _channel.take_over(_main_ident)
                _channel.hand_off(_main_ident)
                job = (job[1][1], None)
            if job is not None and job is not _READ:
                with _lock:
                    _running.pop(job[0], None)
                    _cancelled.discard(job[0])
                _send(_error_payload(job[0], RuntimeError("the server stopped before this call ran")))


def _offer_role(ident):
    # Called by a reading thread about to wait for input: an idle jinn.serve() takes the reading over.
    global _main_wants_role
    if not _main_wants_role or ident == _main_ident:
        return False
    with _lock:
        if not _main_wants_role or _main_queue is None or not _channel.give_up(ident):
            return False
        _main_wants_role = False
        _main_queue.put(_READ)
    return True


def _on_stop(message):
    global _main_wants_role, _stop_early
    with _lock:
        queue = _main_queue
        _main_wants_role = False
        # The Swift side may stop the server before the program has reached jinn.serve().
        _stop_early = queue is None
    if queue is not None:
        queue.put(None)
        if _get_ident() == _main_ident:
            _channel.hand_off(_main_ident)  # the main thread leaves the reading to another thread, then serve()
