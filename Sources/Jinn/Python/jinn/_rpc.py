"""Calls between Swift and Python over the message channel.

Messages from Swift::

    ("call", id, target, args, kwargs)    call a function by dotted name, or a service method: target (key, name)
    ("cancel", id)                        interrupt call ``id`` (KeyboardInterrupt, or its asyncio task cancelled)
    ("swift.result", id, value)           the reply to jinn.call / jinn.acall number ``id``
    ("swift.error", id, description, type)
    ("input", id, line or None)           a line for code that call ``id`` runs and that reads standard input
    ("stop",)                             make jinn.serve() return

Messages to Swift::

    ("result", id, value)                 exactly one of these two per call
    ("error", id, report)                 a report from jinn._errors.describe
    ("swift.call", id, name, value)
    ("swift.cancel", id)                  the Python caller gave up
    ("input", id, prompt)                 call ``id`` waits for a line
    ("output", id, chunks)                output of a REPL execution: [(1 or 2, text), ...]

Where a call runs. A synchronous function runs on the thread that read the message, which saves handing it to
another thread (the largest cost of a round trip after the system calls). A watchdog notices a call that runs
for more than a millisecond or two and passes the reading to a new thread, so a slow call delays the others by
that much and never blocks them; a call that waits for Swift passes the reading on at once. ``async def``
functions run on an event loop in a thread of its own. Functions marked with :func:`main_thread` (REPL
executions) run on the main thread while it is inside :func:`serve`, where a cancellation is a real SIGINT that
also interrupts blocking system calls such as ``time.sleep``. A main thread that serves with nothing to do takes
the reading over, so that these run without being handed from one thread to another.

A cancelled call sees KeyboardInterrupt: raised at once on the main thread and in a wait for Swift or for input,
and at the next Python instruction on other threads (a thread blocked inside a C function sees it when the
function returns).
"""

import _thread
import marshal
import sys

import jinn
from jinn import _errors, _values
from jinn._channel import MessageTooLarge

_channel = None
_main_ident = None
_lock = _thread.allocate_lock()      # guards the tables below where a check and an action must go together
_running = {}                        # call id -> ident of the thread running it, or _ON_LOOP
_threads = {}                        # thread ident -> id of the call from Swift it runs
_cancelled = set()                   # ids of running calls that Swift cancelled
_tasks = {}                          # call id -> asyncio task (None until it is created), for calls on the loop
_waiting = {}                        # thread ident -> the _Waiter it blocks on
_swift_calls = {}                    # id -> _Waiter or (loop, future), for calls into Swift
_inputs = {}                         # call id -> _Waiter for a line of input
_locations = {}                      # dotted name -> (module name, attribute names)
_instances = {}                      # handle -> service object created from Swift
_main_functions = set()              # functions that run on the main thread while it serves
_next_id = 0
_main_queue = None                   # the queue jinn.serve() works from, while it runs
_main_wants_role = False             # jinn.serve() waits with nothing to do: the main thread would read
_stop_early = False                  # a stop came before jinn.serve() started: it returns at once
_READ = object()                     # a job for jinn.serve(): read the channel on the main thread
_loop = None

_PLAIN = frozenset((type(None), bool, int, float, str, bytes))
_LARGE = 64 << 10                    # a bytes result this large (or a memoryview of bytes) is written once,
                                     # straight to shared memory
_OWN_FILES = frozenset(__file__.rpartition("/")[0] + "/" + name for name in ("_rpc.py", "_repl.py", "_values.py"))
_CO_COROUTINE = 0x80
_FUNCTION = type(lambda: None)
_SYNC, _ASYNC, _MAIN = 0, 1, 2
_ON_LOOP = -1
_dumps = marshal.dumps
_get_ident = _thread.get_ident

def install(channel, main_ident):
    """Handles the call messages on ``channel``; ``main_ident`` is the main thread's identity."""
    global _channel, _main_ident
    if _channel is channel:
        return
    _channel = channel
    _main_ident = main_ident
    channel.on("call", _on_call)
    channel.on("cancel", _on_cancel)
    channel.on("swift.result", _on_swift_reply)
    channel.on("swift.error", _on_swift_reply)
    channel.on("input", _on_input)
    channel.on("stop", _on_stop)
    channel.before_wait = _offer_role


def dispatch(message):
    """Handles one message of a kind :func:`install` registered."""
    _channel._handlers[message[0]](message)


def main_thread(function):
    """Marks a function to run on the main thread while it serves (see :func:`serve`)."""
    _main_functions.add(function)
    return function


# -- Calls from Swift -------------------------------------------------------------------------------------------

def _on_call(message):
    global _main_wants_role
    call_id = message[1]
    try:
        function = _resolve(message[2])
        kind = _kind(function)
    except BaseException as error:
        _send(_error_payload(call_id, error))
        return
    if kind == _ASYNC:
        _start_async(call_id, function, message[3], message[4])
        return
    # A call runs on the main thread when jinn.serve() is idle there, because only the main thread's blocking
    # system calls can be interrupted (by SIGINT) when the call times out or is cancelled. An idle main thread
    # takes the reading over with the call, so that the calls after it run there too without a switch of threads.
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


def _run(call_id, function, args, kwargs, inline):
    """Runs a synchronous call on this thread and sends its one reply.

    ``inline`` means this thread reads the channel: the watchdog watches the call, and the reply may wait for the
    frames already read to be handled, so that their replies leave in one write.
    """
    me = _get_ident()
    _running[call_id] = me
    _threads[me] = call_id
    if inline:
        _watchdog.active = call_id
        if _watchdog.asleep:
            _watchdog.arm()
    payload = large = None
    on_loop = False
    try:
        try:
            if _cancelled and call_id in _cancelled:
                raise KeyboardInterrupt  # cancelled while it waited for the main thread
            result = function(*args, **kwargs) if kwargs else function(*args)
            if (type(result) is bytes or type(result) is memoryview and result.format == "B") \
                    and len(result) >= _LARGE and _channel.has_shared_memory:
                large = result  # its bytes go straight into shared memory
            elif type(result) in _PLAIN:
                payload = _dumps(("result", call_id, result))
                if len(payload) > _channel.maximum_size:
                    payload = _result_payload(call_id, result)
            elif hasattr(type(result), "__await__"):
                on_loop = True
                _await_on_loop(call_id, result)
            else:
                payload = _result_payload(call_id, result)
        except BaseException as error:
            payload = _error_payload(call_id, error)
        finally:
            if _watchdog.active == call_id:
                _watchdog.active = None
            del _threads[me]
            with _lock:
                if not on_loop:
                    del _running[call_id]
                if call_id in _cancelled:
                    _cancelled.discard(call_id)
                    _clear_interrupt(me)
    except KeyboardInterrupt:  # a cancellation that arrived after the function returned
        if payload is None and large is None and not on_loop:
            payload = _error_payload(call_id, KeyboardInterrupt())
    if large is not None:
        try:
            _channel.send_ending_with(("result", call_id), large)
        except MessageTooLarge as error:
            _send(_error_payload(call_id, error))
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
            _send(payload)


def _result_payload(call_id, result):
    if type(result) not in _PLAIN:
        result = _values.check(result, "the result")  # values of subclasses travel as their plain type
    payload = _dumps(("result", call_id, result))
    if len(payload) > _channel.maximum_size:
        raise MessageTooLarge(
            "the result takes %d bytes, more than the channel's limit of %d bytes "
            "(LaunchOptions.maximumMessageSize)" % (len(payload), _channel.maximum_size))
    return payload


def _error_payload(call_id, error):
    # Jinn's own frames lead into the call; the program's frames start after them.
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename in _OWN_FILES:
        tb = tb.tb_next
    try:
        error.__traceback__ = tb
        payload = _dumps(("error", call_id, _errors.describe(error)))
        if len(payload) <= _channel.maximum_size:
            return payload
    except BaseException:  # an exception that cannot be described still gets a reply
        pass
    report = {"type": _errors.type_name(error), "message": _safe_str(error)[:4096], "frames": [], "traceback": ""}
    return _dumps(("error", call_id, report))


def _safe_str(error):
    try:
        return str(error)
    except BaseException:
        return "<unprintable %s>" % type(error).__name__


def _send(payload):
    try:
        _channel.send_payload(payload)
    except OSError:
        pass  # the Swift side is gone; the process ends with the channel


def _connected():
    if _channel is None:
        if jinn._connection is None:
            raise RuntimeError("this interpreter was not started by Jinn, so there is no Swift side to talk to")
        install(jinn._connection, jinn._main_ident)
    return _channel


# -- Finding what to call ----------------------------------------------------------------------------------------

def _resolve(target):
    if type(target) is str:
        location = _locations.get(target)
        if location is None:
            location = _locate(target)
            _locations[target] = location
        module_name, names = location
        value = sys.modules.get(module_name)
        if value is None or getattr(getattr(value, "__spec__", None), "_initializing", False):
            # Imported for the first time, or still being imported by another thread (the program's main thread
            # while calls are already served): the import system waits for that import to finish.
            import importlib
            value = importlib.import_module(module_name)
        for name in names:
            value = getattr(value, name)
        return value
    return _service_method(target)


def _locate(target):
    parts = target.split(".")
    if not all(part.isidentifier() for part in parts):
        raise ValueError("%r is not a dotted name such as 'module.function' or 'package.module.Class.method'"
                         % target)
    if len(parts) == 1:
        main = sys.modules.get("__main__")
        if main is not None and hasattr(main, target):
            return ("__main__", (target,))
        import builtins
        if hasattr(builtins, target):
            return ("builtins", (target,))
        raise NameError("there is no function %r in __main__ or the builtins; name a module too, "
                        "as in 'module.%s'" % (target, target), name=target)
    import importlib
    for end in range(len(parts), 0, -1):
        module_name = ".".join(parts[:end])
        if module_name not in sys.modules:
            try:
                importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                missing = error.name
                if missing is not None and (module_name == missing or module_name.startswith(missing + ".")):
                    continue  # this prefix is not a module: it names attributes of a shorter one
                raise
        return (module_name, tuple(parts[end:]))
    raise ModuleNotFoundError("No module named %r (while looking up %r)" % (parts[0], target), name=parts[0])


# -- Cancellation ------------------------------------------------------------------------------------------------

def _on_cancel(message):
    call_id = message[1]
    with _lock:
        ident = _running.get(call_id)
        if ident is None or call_id in _cancelled:
            return
        _cancelled.add(call_id)
        if ident == _ON_LOOP:
            task = _tasks.get(call_id)
            if task is not None:
                _loop.call_soon_threadsafe(task.cancel)
            return  # a task not created yet sees the cancellation when it is
        if _threads.get(ident) != call_id:
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


class _Waiter:
    """One thread waiting for one reply; a cancellation of the call it runs interrupts the wait."""

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
        with _lock:
            _waiting[me] = self
            if _threads.get(me) in _cancelled:
                self.interrupted = True
        try:
            if not self.interrupted:
                self._lock.acquire()
        finally:
            with _lock:
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
                ident = _running.get(call)
                if self.active == call:
                    self.active = None
                if ident is not None:
                    _channel.hand_off(ident)
            except KeyboardInterrupt:
                pass


_watchdog = _Watchdog()


# -- asyncio -----------------------------------------------------------------------------------------------------

def _event_loop():
    global _loop
    if _loop is None:
        with _lock:
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


def _start_async(call_id, function, args, kwargs):
    loop = _event_loop()
    with _lock:
        _running[call_id] = _ON_LOOP
        _tasks[call_id] = None
    loop.call_soon_threadsafe(_begin, call_id, function, args, kwargs)


def _await_on_loop(call_id, awaitable):
    loop = _event_loop()
    with _lock:
        _running[call_id] = _ON_LOOP
        _tasks[call_id] = None
    loop.call_soon_threadsafe(_begin, call_id, None, awaitable, None)


def _begin(call_id, function, args, kwargs):
    # On the loop's thread. ``function`` None means ``args`` is already an awaitable.
    try:
        awaitable = args if function is None else function(*args, **kwargs) if kwargs else function(*args)
    except BaseException as error:
        _forget_task(call_id)
        _send(_error_payload(call_id, error))
        return
    task = _loop.create_task(_await(call_id, awaitable))
    with _lock:
        _tasks[call_id] = task
        cancelled = call_id in _cancelled
    task.add_done_callback(lambda task: _finish(call_id, task))
    if cancelled:
        task.cancel()


async def _await(call_id, awaitable):
    try:
        return _result_payload(call_id, await awaitable)
    except BaseException as error:  # CancelledError included: the reply says the task was cancelled
        return _error_payload(call_id, error)


def _finish(call_id, task):
    _forget_task(call_id)
    if task.cancelled():  # cancelled before it started, so _await never ran
        import asyncio
        _send(_error_payload(call_id, asyncio.CancelledError()))
    else:
        _send(task.result())


def _forget_task(call_id):
    with _lock:
        _running.pop(call_id, None)
        _tasks.pop(call_id, None)
        _cancelled.discard(call_id)


# -- Serving on the main thread ----------------------------------------------------------------------------------

def serve():
    """Serves calls from Swift on the main thread until the Swift side stops the server, then returns.

    Calls are served from the moment the program starts, whatever its main thread does; while it serves, the main
    thread reads the channel itself, so that REPL executions run there at once, and Ctrl-C and timeouts interrupt
    even blocking system calls.
    """
    global _main_queue, _main_wants_role, _stop_early
    _connected()
    if _thread.get_ident() != _main_ident:
        raise RuntimeError("jinn.serve() must run on the main thread")
    import _queue
    queue = _queue.SimpleQueue()
    with _lock:
        _main_queue = queue
        if _stop_early:
            _stop_early = False
            queue.put(None)
    _send_quietly(("serving",))  # a Swift side that waits for the set-up to end may now return the process
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


# -- Calls into Swift --------------------------------------------------------------------------------------------

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
    waiter = _Waiter()
    call_id = _new_id(waiter)
    me = _thread.get_ident()
    try:
        _channel.send(("swift.call", call_id, name, request))
        if _channel.reader == me:
            _channel.hand_off(me)  # the reply must be read while this thread waits
        waiter.wait()
    except BaseException:
        with _lock:
            pending = _swift_calls.pop(call_id, None)
        if pending is not None:
            _send_quietly(("swift.cancel", call_id))
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
        _channel.send(("swift.call", call_id, name, request))
        return await future
    except BaseException:
        with _lock:
            pending = _swift_calls.pop(call_id, None)
        if pending is not None:
            _send_quietly(("swift.cancel", call_id))
        raise


def _send_quietly(message):
    try:
        _channel.send(message)
    except (OSError, ValueError):
        pass


def _on_swift_reply(message):
    with _lock:
        entry = _swift_calls.pop(message[1], None)
    if entry is None:
        return
    ok = message[0] == "swift.result"
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


# -- Input for the running call ----------------------------------------------------------------------------------

def current_call_id():
    """The id of the call from Swift this thread runs, or None."""
    return _threads.get(_get_ident())


def request_input(prompt):
    """Asks the Swift side for a line of input for the call this thread runs; None means end of input."""
    call_id = current_call_id()
    if call_id is None:
        return None
    waiter = _Waiter()
    with _lock:
        _inputs[call_id] = waiter
    me = _get_ident()
    try:
        _channel.send(("input", call_id, prompt))
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


# -- Services ----------------------------------------------------------------------------------------------------

def _service_object(key):
    if type(key) is int:
        target = _instances.get(key)
        if target is None:
            raise LookupError("the service instance %d no longer exists (it was closed)" % key)
        return target
    target = jinn.exposed.get(key)
    if target is None:
        names = ", ".join(sorted(jinn.exposed)) or "none"
        raise LookupError("no service is exposed under the name %r (exposed: %s)" % (key, names))
    return target


def _service_method(target):
    key, name = target
    obj = _service_object(key)
    if not name or name.startswith("_"):
        raise AttributeError("%r is not an exposed method: names starting with '_' are private" % name)
    method = getattr(obj, name)
    if not callable(method):
        raise TypeError("%s.%s is not a method" % (type(obj).__name__, name))
    return method


def create_service(class_name, args, kwargs):
    """Creates an instance of an exposed class for the Swift side; returns its handle and a description."""
    global _next_id
    cls = _resolve(class_name)
    if not isinstance(cls, type):
        raise TypeError("%r is not a class" % class_name)
    if not getattr(cls, "__jinn_exposed__", False):
        raise TypeError("%s is not exposed: decorate the class with @jinn.expose or derive it from jinn.Service"
                        % class_name)
    instance = cls(*args, **kwargs)
    with _lock:
        _next_id += 1
        handle = _next_id
        _instances[handle] = instance
    return handle


def release_service(handle):
    """Forgets an instance created with :func:`create_service`."""
    with _lock:
        _instances.pop(handle, None)


def describe_service(key):
    """The exposed methods of a service: ``[(name, signature, docstring, is_async), ...]``."""
    import inspect
    obj = _service_object(key)
    methods = []
    for name in sorted(dir(obj)):
        if name.startswith("_"):
            continue
        raw = inspect.getattr_static(obj, name, None)
        if isinstance(raw, (staticmethod, classmethod)):
            raw = raw.__func__
        if not (inspect.isfunction(raw) or inspect.isbuiltin(raw) or inspect.ismethoddescriptor(raw)):
            continue  # properties and data are not methods, and reading a property could run code
        method = getattr(obj, name)
        try:
            signature = str(inspect.signature(method))
        except (TypeError, ValueError):
            signature = "(...)"
        methods.append((name, signature, inspect.getdoc(method) or "", inspect.iscoroutinefunction(method)))
    return methods

