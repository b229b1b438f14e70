"""Imports a module while watching what it does, for the zygote's preloads.

A module a zygote preloads must behave: a thread it starts would not survive the zygote's forks (and could hold a
lock forever in each run), output it writes would appear in no run's terminal or, worse, in the daemon's log as if
the zygote had said it, and a slow import delays every first run of its environment. So each preload is imported
with descriptors 1 and 2 pointed at a pipe, the count of Python threads taken before and after, and its time
measured; :func:`import_watched` says why a module must not be preloaded again, or returns None.

Threads are counted through ``sys._current_frames()``, which lists every thread that runs Python code; threads of
native libraries (an OpenBLAS pool loaded with numpy) have no Python frame, never touch the interpreter and are
not inherited by a fork, so they do not count.
"""

import importlib
import os
import sys
import time

# Seconds a preload's import may take before it is refused.
TIME_LIMIT = 5.0
_OUTPUT_LIMIT = 1 << 16


def _python_threads():
    return len(sys._current_frames())


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:
            pass


def import_watched(name, time_limit=TIME_LIMIT):
    """Imports ``name``; returns ``(error, refusal)``: the exception text if the import raised (else None), and
    why the module must not be preloaded (it wrote to descriptor 1 or 2, started a thread or took more than
    ``time_limit`` seconds), else None. Exceptions of the import never leave this function."""
    _flush()
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    # A module that writes more than the pipe holds gets an error rather than blocking the zygote forever.
    os.set_blocking(write_end, False)
    saved = [os.dup(1), os.dup(2)]
    os.dup2(write_end, 1)
    os.dup2(write_end, 2)
    os.close(write_end)
    threads = _python_threads()
    started = time.monotonic()
    error = None
    try:
        importlib.import_module(name)
    except BaseException as exception:  # a broken preload must not take the zygote down
        error = "%s: %s" % (type(exception).__name__, exception)
    elapsed = time.monotonic() - started
    _flush()
    os.dup2(saved[0], 1)
    os.dup2(saved[1], 2)
    for fd in saved:
        os.close(fd)
    try:
        output = os.read(read_end, _OUTPUT_LIMIT)
    except BlockingIOError:
        output = b""
    os.close(read_end)
    refusal = None
    if output:
        refusal = "its import wrote to the terminal (%r)" % output[:60].decode("utf-8", "replace")
    elif _python_threads() > threads:
        refusal = "its import started a thread"
    elif elapsed > time_limit:
        refusal = "its import took %.1f s, more than %g s" % (elapsed, time_limit)
    return error, refusal
