"""Shared-memory segments: named ones opened or created by name, and anonymous ones whose descriptors cross the
descriptor socket that Swift gives the process (``descriptor_socket`` in the program).

Opening a named segment goes through ``_posixshmem`` and ``mmap`` directly, never through
``multiprocessing.shared_memory``, whose resource tracker unlinks on Python 3.9 to 3.12 the segments a process
only opened (CPython issue 82300). A segment Python creates is registered with that tracker, which is a process of
its own: it unlinks the name when this process dies, SIGKILL included.
"""

import os
import threading

_NAME_LIMIT = 30                 # macOS allows 31 bytes with the leading slash
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
_RECEIVE_TIMEOUT = 10.0          # Swift sends a descriptor before the call that names it: it is already there

_socket = None                   # the descriptor socket, made on first use
_socket_lock = threading.Lock()
_arrived = {}                    # token -> descriptor, received ahead of the call that names it
_created = set()                 # system names this process created and has not unlinked


class Segment:
    """A mapped segment: ``buf`` is a memoryview of its bytes, ``size`` their count, ``name`` its name (None for an
    anonymous one).

    ``close()`` unmaps it, and is refused (``BufferError``) while numpy arrays or memoryviews over it exist: a view
    that outlived its mapping would crash the process. Without ``close()`` the mapping goes with the last view.
    """

    def __init__(self, mapping, name):
        self._mapping = mapping
        self.name = name
        self.size = len(mapping)
        self.buf = memoryview(mapping)

    def close(self):
        """Unmaps the segment; ``BufferError`` while views of it exist."""
        if self._mapping.closed:
            return
        refusal = ("shared memory %s still has numpy arrays or memoryviews over it; delete them before closing it"
                   % (repr(self.name) if self.name else "(anonymous)"))
        try:
            self.buf.release()
        except BufferError:
            raise BufferError(refusal) from None
        try:
            self._mapping.close()
        except BufferError:
            self.buf = memoryview(self._mapping)
            raise BufferError(refusal) from None

    def unlink(self):
        """Removes the segment's name (the memory stays until every process has unmapped it)."""
        if self.name is None:
            raise ValueError("an anonymous segment has no name to unlink")
        unlink(self.name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def system_name(name):
    """``"/" + name`` after checking it, as the Swift side checks it."""
    if not isinstance(name, str):
        raise TypeError("a shared-memory name is a str, not %s" % type(name).__name__)
    bare = name[1:] if name.startswith("/") else name
    if not bare:
        raise ValueError("a shared-memory name cannot be empty")
    if len(bare.encode()) > _NAME_LIMIT:
        raise ValueError("shared-memory name %r is longer than %d bytes, macOS's limit" % (name, _NAME_LIMIT))
    if not set(bare) <= _NAME_CHARACTERS or bare in (".", ".."):
        raise ValueError("shared-memory name %r: use only letters, digits, '_', '-' and '.'" % name)
    return "/" + bare


def open_segment(name):
    """Maps the existing named segment ``name`` at its full size, changing nothing; ``FileNotFoundError`` names a
    missing one."""
    import _posixshmem

    path = system_name(name)
    try:
        fd = _posixshmem.shm_open(path, os.O_RDWR, mode=0o600)
    except FileNotFoundError:
        raise FileNotFoundError("no shared memory named %r exists; create it first, or check the name"
                                % path[1:]) from None
    try:
        return Segment(_map(fd, path[1:]), path[1:])
    finally:
        os.close(fd)


def create_segment(name, size):
    """Creates and maps the named segment ``name`` of ``size`` zero bytes, owned by this process: its name is
    unlinked by ``unlink(name)``, at exit, or by the resource tracker if this process is killed."""
    import _posixshmem

    path = system_name(name)
    _check_size(size)
    try:
        fd = _posixshmem.shm_open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, mode=0o600)
    except FileExistsError:
        raise FileExistsError("shared memory named %r exists already; open it instead, or unlink it first"
                              % path[1:]) from None
    try:
        os.ftruncate(fd, size)
        segment = Segment(_map(fd, path[1:]), path[1:])
    except BaseException:
        _posixshmem.shm_unlink(path)
        raise
    finally:
        os.close(fd)
    _own(path)
    return segment


def unlink(name):
    """Removes a segment's name; ``FileNotFoundError`` when there is none."""
    import _posixshmem

    path = system_name(name)
    try:
        _posixshmem.shm_unlink(path)
    except FileNotFoundError:
        raise FileNotFoundError("no shared memory named %r exists" % path[1:]) from None
    finally:
        if path in _created:
            _created.discard(path)
            from multiprocessing import resource_tracker
            resource_tracker.unregister(path, "shared_memory")


def _own(path):
    from multiprocessing import resource_tracker

    if not _created:
        import atexit
        atexit.register(_unlink_created)
    resource_tracker.register(path, "shared_memory")
    _created.add(path)


def _unlink_created():
    for path in list(_created):
        try:
            unlink(path)
        except OSError:
            pass


def _check_size(size):
    if not isinstance(size, int) or isinstance(size, bool):
        raise TypeError("a segment's size is an int, not %s" % type(size).__name__)
    if size < 1:
        raise ValueError("a segment needs at least 1 byte, not %d" % size)


def _map(fd, label):
    import mmap

    size = os.fstat(fd).st_size
    if size < 1:
        raise ValueError("shared memory %s is empty" % label)
    return mmap.mmap(fd, size)


# -- anonymous segments through the descriptor socket


def _the_socket():
    global _socket
    if _socket is None:
        import socket

        import jinn

        descriptor_socket = jinn._descriptor_socket
        if descriptor_socket is None:
            raise RuntimeError("this process has no descriptor socket (it was not started by Jinn's library); "
                               "use named shared memory")
        _socket = socket.socket(fileno=descriptor_socket)
        _socket.settimeout(_RECEIVE_TIMEOUT)
    return _socket


def receive(token):
    """Maps the anonymous segment that Swift sent with ``token``."""
    import socket

    with _socket_lock:
        sock = _the_socket()
        while token not in _arrived:
            try:
                data, fds, _, _ = socket.recv_fds(sock, 8, 1, socket.MSG_CMSG_CLOEXEC)
            except socket.timeout:
                raise RuntimeError("the descriptor of shared segment %d did not arrive" % token) from None
            if len(data) != 8 or len(fds) != 1:
                for fd in fds:
                    os.close(fd)
                raise RuntimeError("the descriptor socket carried %d bytes and %d descriptors, not a segment"
                                   % (len(data), len(fds)))
            _arrived[int.from_bytes(data, "little")] = fds[0]
        fd = _arrived.pop(token)
    try:
        return Segment(_map(fd, "(anonymous)"), None)
    finally:
        os.close(fd)


def discard(token):
    """Closes the descriptor that arrived with ``token`` if no call claimed it (its call was cancelled)."""
    with _socket_lock:
        fd = _arrived.pop(token, None)
    if fd is not None:
        os.close(fd)


def send_new(size, fill, token):
    """Creates an anonymous segment of ``size`` bytes, lets ``fill(mapping)`` write it and sends its descriptor to
    Swift with ``token``; this process keeps no mapping."""
    import mmap
    import socket

    _check_size(size)
    if not hasattr(os, "memfd_create"):
        raise RuntimeError("anonymous shared memory needs os.memfd_create (Linux)")
    fd = os.memfd_create("jinn-result", os.MFD_CLOEXEC)
    try:
        os.ftruncate(fd, size)
        with mmap.mmap(fd, size) as mapping:
            fill(mapping)
        with _socket_lock:
            socket.send_fds(_the_socket(), [token.to_bytes(8, "little")], [fd])
    finally:
        os.close(fd)
