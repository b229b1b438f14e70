"""Calls from Swift, once it is known where each runs (``jinn._serve``): running one, its one reply, cancelling it.

A synchronous function runs on the thread that read the message, which saves handing it to another thread (the
largest cost of a round trip after the system calls). A watchdog notices a call that runs for more than a
millisecond or two and passes the reading to a new thread, so a slow call delays the others by that much and never
blocks them. ``async def`` functions, and awaitables that a function returns, run on an event loop in a thread of
its own.

A cancelled call sees KeyboardInterrupt: raised at once on the main thread and in a wait for Swift or for input
(:class:`Waiter`), and at the next Python instruction on other threads (a thread blocked inside a C function sees
it when the function returns). The task of a call on the event loop is cancelled.
"""

import _thread
import marshal
import sys

from jinn import _errors, _values
from jinn._channel import MessageTooLarge
from jinn._protocol import CANCEL, ERROR, RESULT

_channel = None
_main_ident = None
lock = _thread.allocate_lock()       # guards the tables of every part where a check and an action must go together
running = {}                         # call id -> ident of the thread running it, or ON_LOOP
threads = {}                         # thread ident -> id of the call from Swift it runs
cancelled = set()                    # ids of running calls that Swift cancelled
_tasks = {}                          # call id -> asyncio task (None until it is created), for calls on the loop
_waiting = {}                        # thread ident -> the Waiter it blocks on
_loop = None

ON_LOOP = -1
_PLAIN = frozenset((type(None), bool, int, float, str, bytes))
_LARGE = 64 << 10                    # a bytes result this large (or a memoryview of bytes) is written once,
                                     # straight to shared memory
_OWN_FILES = frozenset(__file__.rpartition("/")[0] + "/" + name for name in (
    "_rpc.py", "_calls.py", "_serve.py", "_targets.py", "_services.py", "_swift.py", "_input.py", "_repl.py",
    "_values.py", "_shared.py"))
_dumps = marshal.dumps
_get_ident = _thread.get_ident


def install(channel, main_ident):
    """Handles cancellations on ``channel``; ``main_ident`` is the main thread's identity."""
    global _channel, _main_ident
    _channel = channel
    _main_ident = main_ident
    _watchdog.channel = channel
    channel.on(CANCEL, _on_cancel)


def run(call_id, function, args, kwargs, inline):
    """Runs a synchronous call on this thread and sends its one reply.

    ``inline`` means this thread reads the channel: the watchdog watches the call, and the reply may wait for the
    frames already read to be handled, so that their replies leave in one write.
    """
    me = _get_ident()
    running[call_id] = me
    threads[me] = call_id
    if inline:
        _watchdog.active = call_id
        if _watchdog.asleep:
            _watchdog.arm()
    payload = large = None
    on_loop = False
    try:
        try:
            if cancelled and call_id in cancelled:
                raise KeyboardInterrupt  # cancelled while it waited for the main thread
            result = function(*args, **kwargs) if kwargs else function(*args)
            kind = type(result)  # looked up once: this runs for every result
            if (kind is bytes or kind is memoryview and result.format == "B") \
                    and len(result) >= _LARGE and _channel.has_shared_memory:
                large = result  # its bytes go straight into shared memory
            elif kind in _PLAIN:
                payload = _dumps((RESULT, call_id, result))
                if len(payload) > _channel.maximum_size:
                    payload = result_payload(call_id, result)
            elif hasattr(type(result), "__await__"):
                on_loop = True
                _await_on_loop(call_id, result)
            else:
                payload = result_payload(call_id, result)
        except BaseException as error:
            payload = error_payload(call_id, error)
        finally:
            if _watchdog.active == call_id:
                _watchdog.active = None
            del threads[me]
            with lock:
                if not on_loop:
                    del running[call_id]
                if call_id in cancelled:
                    cancelled.discard(call_id)
                    _clear_interrupt(me)
    except KeyboardInterrupt:  # a cancellation that arrived after the function returned
        if payload is None and large is None and not on_loop:
            payload = error_payload(call_id, KeyboardInterrupt())
    if large is not None:
        try:
            _channel.send_ending_with((RESULT, call_id), large)
        except MessageTooLarge as error:
            send(error_payload(call_id, error))
        except OSError:
            pass  # the Swift side is gone; the process ends with the channel
    elif payload is not None:
        # Deferring is only for the thread that still reads (defer checks it under the send lock): a call whose
        # reading was handed on meanwhile sends at once, or its reply could wait while the new reader blocks.
        if inline and _channel.more and len(payload) < 65536:
            try:
                _channel.defer(payload, me)
            except OSError:
                pass  # the Swift side is gone; the process ends with the channel
        else:
            send(payload)


def result_payload(call_id, result):
    """The encoded result reply, for a result of any type (subclasses of plain types travel as their base)."""
    if type(result) not in _PLAIN:
        result = _values.check(result, "the result")
    payload = _dumps((RESULT, call_id, result))
    if len(payload) > _channel.maximum_size:
        raise MessageTooLarge(
            "the result takes %d bytes, more than the channel's limit of %d bytes "
            "(LaunchOptions.maximumMessageSize)" % (len(payload), _channel.maximum_size))
    return payload


def error_payload(call_id, error):
    """The encoded error reply; an exception that cannot be described still gets one."""
    # Jinn's own frames lead into the call; the program's frames start after them.
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename in _OWN_FILES:
        tb = tb.tb_next
    try:
        error.__traceback__ = tb
        payload = _dumps((ERROR, call_id, _errors.describe(error)))
        if len(payload) <= _channel.maximum_size:
            return payload
    except BaseException:
        pass
    report = {"type": _errors.type_name(error), "message": _safe_str(error)[:4096], "frames": [], "traceback": ""}
    return _dumps((ERROR, call_id, report))


def _safe_str(error):
    try:
        return str(error)
    except BaseException:
        return "<unprintable %s>" % type(error).__name__


def send(payload):
    """Sends an encoded message; a Swift side that is gone is not an error (the process ends with the channel)."""
    try:
        _channel.send_payload(payload)
    except OSError:
        pass


def send_quietly(message):
    """Sends a message that may be lost: to a Swift side that is gone, or one over the size limit."""
    try:
        _channel.send(message)
    except (OSError, ValueError):
        pass


# -- Cancellation ------------------------------------------------------------------------------------------------

def _on_cancel(message):
    call_id = message[1]
    with lock:
        ident = running.get(call_id)
        if ident is None or call_id in cancelled:
            return
        cancelled.add(call_id)
        if ident == ON_LOOP:
            task = _tasks.get(call_id)
            if task is not None:
                _loop.call_soon_threadsafe(task.cancel)
            return  # a task not created yet sees the cancellation when it is
        if threads.get(ident) != call_id:
            return  # queued for the main thread and not started: it is cancelled when it starts
        waiter = _waiting.get(ident)
        if waiter is not None:
            waiter.interrupt()
            return
        _interrupt(ident)


def _interrupt(ident):
    if ident == _main_ident:
        import signal
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            # A real signal also breaks blocking system calls such as sleep, as Ctrl-C in a terminal does.
            signal.pthread_kill(ident, signal.SIGINT)
            return
    import ctypes
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(KeyboardInterrupt))


def _clear_interrupt(ident):
    # An interrupt that has not fired yet must not hit the next call this thread runs.
    if "ctypes" in sys.modules:
        import ctypes
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)


class Waiter:
    """One thread waiting for one reply from Swift; a cancellation of the call it runs interrupts the wait."""

    __slots__ = ("_lock", "ok", "value", "interrupted")

    def __init__(self):
        self._lock = _thread.allocate_lock()
        self._lock.acquire()
        self.ok = None
        self.value = None
        self.interrupted = False

    def resolve(self, ok, value):
        self.ok = ok
        self.value = value
        self._release()

    def interrupt(self):
        self.interrupted = True
        self._release()

    def _release(self):
        try:
            self._lock.release()
        except RuntimeError:  # resolved and interrupted at the same time
            pass

    def wait(self):
        me = _thread.get_ident()
        with lock:
            _waiting[me] = self
            if threads.get(me) in cancelled:
                self.interrupted = True
        try:
            if not self.interrupted:
                self._lock.acquire()
        finally:
            with lock:
                _waiting.pop(me, None)
        if self.interrupted:
            raise KeyboardInterrupt


# -- The watchdog ------------------------------------------------------------------------------------------------

class _Watchdog:
    """Passes the reading to a new thread when a call keeps the reading thread busy for a tick or two."""

    TICK = 0.001
    IDLE_TICKS = 50

    def __init__(self):
        self.active = None      # the id of the call running on the reading thread
        self.asleep = True
        self.channel = None
        self._wake = _thread.allocate_lock()
        self._wake.acquire()
        self._started = False

    def arm(self):
        self.asleep = False
        if not self._started:
            self._started = True
            _thread.start_new_thread(self._watch, ())
        else:
            try:
                self._wake.release()
            except RuntimeError:
                pass

    def _watch(self):
        import time
        sleep = time.sleep
        last = None
        idle = 0
        while True:
            try:
                sleep(self.TICK)
                call = self.active
                if call is None:
                    last = None
                    idle += 1
                    if idle >= self.IDLE_TICKS:
                        idle = 0
                        self.asleep = True
                        if self.active is None:
                            self._wake.acquire()
                        self.asleep = False
                    continue
                idle = 0
                if call != last:
                    last = call
                    continue
                last = None
                ident = running.get(call)
                if self.active == call:
                    self.active = None
                if ident is not None:
                    self.channel.hand_off(ident)
            except KeyboardInterrupt:
                pass


_watchdog = _Watchdog()


# -- asyncio -----------------------------------------------------------------------------------------------------

def _event_loop():
    global _loop
    if _loop is None:
        with lock:
            if _loop is None:
                import asyncio
                loop = asyncio.new_event_loop()
                _thread.start_new_thread(_run_loop, (loop,))
                _loop = loop
    return _loop


def _run_loop(loop):
    import asyncio
    asyncio.set_event_loop(loop)
    while True:
        try:
            loop.run_forever()
        except KeyboardInterrupt:
            continue


def start_async(call_id, function, args, kwargs):
    """Runs an ``async def`` function on the event loop; its task sends the one reply."""
    loop = _event_loop()
    with lock:
        running[call_id] = ON_LOOP
        _tasks[call_id] = None
    loop.call_soon_threadsafe(_begin, call_id, function, args, kwargs)


def _await_on_loop(call_id, awaitable):
    loop = _event_loop()
    with lock:
        running[call_id] = ON_LOOP
        _tasks[call_id] = None
    loop.call_soon_threadsafe(_begin, call_id, None, awaitable, None)


def _begin(call_id, function, args, kwargs):
    # On the loop's thread. ``function`` None means ``args`` is already an awaitable.
    try:
        awaitable = args if function is None else function(*args, **kwargs) if kwargs else function(*args)
    except BaseException as error:
        _forget_task(call_id)
        send(error_payload(call_id, error))
        return
    task = _loop.create_task(_await(call_id, awaitable))
    with lock:
        _tasks[call_id] = task
        was_cancelled = call_id in cancelled
    task.add_done_callback(lambda task: _finish(call_id, task))
    if was_cancelled:
        task.cancel()


async def _await(call_id, awaitable):
    try:
        return result_payload(call_id, await awaitable)
    except BaseException as error:  # CancelledError included: the reply says the task was cancelled
        return error_payload(call_id, error)


def _finish(call_id, task):
    _forget_task(call_id)
    if task.cancelled():  # cancelled before it started, so _await never ran
        import asyncio
        send(error_payload(call_id, asyncio.CancelledError()))
    else:
        send(task.result())


def _forget_task(call_id):
    with lock:
        running.pop(call_id, None)
        _tasks.pop(call_id, None)
        cancelled.discard(call_id)
