"""Named semaphores shared with Swift (``SharedSemaphore``, ``SharedLock``, ``SharedEvent``), opened with the
standard library's ``_multiprocessing.SemLock``, whose waits take timeouts of any length and let signals in.

An event is two semaphores, as on the Swift side: ``name``, at 1 while the event is set, and ``name.l``, which
guards changes to it.
"""

_SEMAPHORE = 1                    # SemLock's kind for a counting semaphore
_MAXIMUM = 2147483647             # SEM_VALUE_MAX on Linux
_CHANGE_TIMEOUT = 2.0


def _open(name):
    import _multiprocessing

    from jinn import _segments

    path = _segments.system_name(name)
    try:
        return _multiprocessing.SemLock._rebuild(0, _SEMAPHORE, _MAXIMUM, path)
    except FileNotFoundError:
        raise FileNotFoundError("no semaphore named %r exists; create it on the Swift side first" % path[1:]) \
            from None


class SharedSemaphore:
    """A named counting semaphore that a Swift process created (``SharedSemaphore(creating:)``)."""

    def __init__(self, name):
        self.name = name
        self._lock = _open(name)

    def acquire(self, timeout=None):
        """Takes one; waits at most ``timeout`` seconds (None: without end) and returns whether it took one."""
        if timeout is not None and timeout <= 0:
            return self._lock.acquire(False)
        return self._lock.acquire(True, timeout)

    def release(self):
        """Adds one, waking one waiter."""
        self._lock.release()


class SharedLock(SharedSemaphore):
    """A lock that a Swift process created (``SharedLock(creating:)``); usable in a ``with`` statement."""

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc_info):
        self.release()


class SharedEvent:
    """An event that a Swift process created (``SharedEvent(creating:)``), as ``threading.Event`` is."""

    def __init__(self, name):
        self.name = name
        self._guard = _open(name + ".l")
        self._flag = _open(name)

    def set(self):
        self._changing(self._set)

    def clear(self):
        self._changing(lambda: self._flag.acquire(False))

    def is_set(self):
        if not self._flag.acquire(False):
            return False
        self._flag.release()
        return True

    def wait(self, timeout=None):
        """Waits at most ``timeout`` seconds for the event; returns whether it is set."""
        taken = self._flag.acquire(False) if timeout is not None and timeout <= 0 else self._flag.acquire(True, timeout)
        if taken:
            self._flag.release()
        return taken

    def _set(self):
        self._flag.acquire(False)
        self._flag.release()

    def _changing(self, change):
        if not self._guard.acquire(True, _CHANGE_TIMEOUT):
            raise TimeoutError("shared event %r: another process's change did not finish" % self.name)
        try:
            change()
        finally:
            self._guard.release()
