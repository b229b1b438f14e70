"""The message channel to the Swift side: length-prefixed ``marshal`` frames over two pipes (or one stream socket).

Every frame is a 4-byte little-endian length and a ``marshal`` payload holding a tuple whose first element names
the kind of message. One thread at a time reads and dispatches frames; any thread may send.

Frames of 64 KiB and more may travel through shared memory instead (see ``SharedRings.swift`` for the layout): one
ring each way in a file that both sides map; the pipe then carries a notice, the frame's header with its high bit
set followed by the frame's position as 8 little-endian bytes. Each side hands a ring back by storing the position
up to which it has decoded the frames in it.

The thread that reads may run a handler that takes long (a call from Swift runs on the reading thread while it is
quick). Such a handler calls :meth:`Channel.hand_off`: a new thread takes over the reading at once and the old one
stops reading when its handler returns. The frames stay in order because only the thread holding the reader role
ever touches the stream.
"""

import _thread
import marshal
import os
import time

#: Frames larger than this are refused unless the Swift side asks for another limit.
DEFAULT_MAXIMUM_SIZE = 256 << 20

# Reads land in one buffer that lives as long as the channel: allocating a large buffer per read costs an mmap
# and page faults every time, more than the rest of a round trip.
_BUFFER_SIZE = 256 << 10
# The largest buffer for large frames kept between frames.
_LARGE_KEPT = 64 << 20
_monotonic = time.monotonic
_yield = getattr(os, "sched_yield", lambda: None)
# Frames at least this large go through a shared-memory ring when there is room in it.
_RING_THRESHOLD = 64 << 10
_NOTICE = 1 << 31
_COUNTERS = 4096


class ProtocolError(Exception):
    """The bytes on the channel do not follow the protocol."""


class MessageTooLarge(ValueError):
    """A message is larger than the channel's limit, so it was not sent."""


class Channel:
    """One end of a framed channel: it reads ``fd`` and writes ``write_fd`` (the same descriptor for a socket).

    ``shared`` is ``(descriptor, capacity)`` of the shared-memory rings, or None; the descriptor is closed once
    mapped. ``busy_poll`` is how long (seconds) the reading thread keeps polling for the next message after this
    side sent one, before it sleeps: waking a sleeping thread from another core costs tens of microseconds on some
    virtual machines. It applies to a pair of pipes only (``write_fd`` given).
    """

    def __init__(self, fd, maximum_size=DEFAULT_MAXIMUM_SIZE, on_close=None, write_fd=None, shared=None,
                 busy_poll=0.0):
        self.fd = fd
        self.write_fd = fd if write_fd is None else write_fd
        self._last_send = 0.0
        self._busy_poll = busy_poll if busy_poll > 0 and self.write_fd != fd else 0.0
        self._poller = None
        if self._busy_poll:
            os.set_blocking(fd, False)
        self._incoming = self._outgoing = self._counters = None
        self._consumed = None
        self._head = 0
        if shared is not None:
            descriptor, capacity = shared
            import mmap  # only for a channel that has shared memory

            try:
                memory = mmap.mmap(descriptor, _COUNTERS + 2 * capacity)
            finally:
                os.close(descriptor)
            view = memoryview(memory)
            # Native 8-byte words: each load and store is one instruction, never torn.
            self._counters = view[:128].cast("Q")
            self._incoming = view[_COUNTERS:_COUNTERS + capacity]
            self._outgoing = view[_COUNTERS + capacity:_COUNTERS + 2 * capacity]
            self._capacity = capacity
            self._tuned = False
        self.maximum_size = maximum_size
        self._send_lock = _thread.allocate_lock()
        self._role_lock = _thread.allocate_lock()
        self._handlers = {}
        self._on_close = on_close
        self._frames = None
        #: The identity of the thread that reads now; None while the role passes to a new thread.
        self.reader = None
        #: Whether bytes of another frame wait in the read buffer (set as each frame is handed out).
        self.more = False
        self._deferred = []
        #: Called by the reading thread, with its identity, when it is about to wait for input; it may take the
        #: reader role for another thread (see :meth:`give_up`).
        self.before_wait = None
        self._dispatching = False
        self.closed = False

    def on(self, kind, handler):
        """Calls ``handler(message)`` on the reading thread for every message whose first element is ``kind``."""
        self._handlers[kind] = handler

    def send(self, message):
        """Sends one message (a tuple of marshallable values); safe to call from any thread."""
        self.send_payload(marshal.dumps(message))

    def send_payload(self, payload):
        """Sends an already encoded payload; raises :class:`MessageTooLarge` above the channel's limit."""
        size = len(payload)
        if size > self.maximum_size:
            raise MessageTooLarge(
                "a message of %d bytes exceeds the channel's limit of %d bytes (LaunchOptions.maximumMessageSize)"
                % (size, self.maximum_size))
        header = size.to_bytes(4, "little")
        self._last_send = _monotonic()
        with self._send_lock:
            if size >= _RING_THRESHOLD and self._outgoing is not None:
                start = self._reserve(size)
                if start is not None:
                    offset = start % self._capacity
                    self._outgoing[offset:offset + size] = payload
                    self._announce(start, size)
                    return
            if size < 65536:
                data = header + payload
                written = os.write(self.write_fd, data)
                if written != len(data):
                    _write_all(self.write_fd, [memoryview(data)[written:]])
            else:
                _write_all(self.write_fd, [header, payload])

    def send_ending_with(self, head, data):
        """Sends the message ``head + (data,)``, where ``data`` is a large ``bytes`` object, copying its bytes once:
        straight into the ring when it has room (a tuple's encoding ends with that of its last element)."""
        prefix = marshal.dumps(head + (b"",))[:-4]  # the empty bytes' length comes last
        size = len(prefix) + 4 + len(data)
        if prefix[-1] & 0x7F != 0x73 or size > self.maximum_size or self._outgoing is None:  # 0x73: "s"
            self.send(head + (data,))  # raises MessageTooLarge above the limit
            return
        self._last_send = _monotonic()
        with self._send_lock:
            start = self._reserve(size)
            if start is not None:
                offset = start % self._capacity
                end = offset + len(prefix)
                outgoing = self._outgoing
                outgoing[offset:end] = prefix
                outgoing[end:end + 4] = len(data).to_bytes(4, "little")
                outgoing[end + 4:offset + size] = data
                self._announce(start, size)
                return
        self.send(head + (data,))

    def _reserve(self, size):
        # With the send lock held, so that notices leave in the order of their positions.
        if not self._tuned:
            self._tuned = True
            keep_freed_memory()
        capacity = self._capacity
        if size > capacity // 2:
            return None
        start = self._head
        offset = start % capacity
        if offset + size > capacity:
            start += capacity - offset
        if start + size - self._counters[8] > capacity:
            return None  # the Swift side has not yet read what is there
        self._head = start + size
        return start

    def _announce(self, start, size):
        _write_all(self.write_fd, [(size | _NOTICE).to_bytes(4, "little") + start.to_bytes(8, "little")])

    @property
    def has_shared_memory(self):
        """Whether large messages can travel through shared memory."""
        return self._outgoing is not None

    def _release(self):
        consumed = self._consumed
        if consumed is not None:
            self._consumed = None
            self._counters[0] = consumed

    def defer(self, payload, ident):
        """Sends a payload together with others, before the reading thread next waits for input.

        For the reading thread ``ident``, while :attr:`more` frames wait to be handled: their replies leave in one
        write. A thread that no longer reads sends at once, since no one would flush for it.
        """
        if len(payload) >= _RING_THRESHOLD:
            # A notice must never wait in the list while a later one goes out: the Swift side would hand back
            # the ring past a frame it has not read.
            self.send_payload(payload)
            return
        data = len(payload).to_bytes(4, "little") + payload
        self._last_send = _monotonic()
        with self._send_lock:
            # The role passes (give_up) before the deferred payloads are flushed: a payload appended here while
            # this thread still reads is always in that flush.
            if self.reader == ident:
                self._deferred.append(data)
            else:
                _write_all(self.write_fd, [data])

    def flush(self):
        """Sends the deferred payloads."""
        with self._send_lock:
            deferred = self._deferred
            if deferred:
                self._deferred = []
                self._last_send = _monotonic()
                _write_all(self.write_fd, [b"".join(deferred)])

    def _read(self, buffers):
        """Reads into ``buffers``, waiting for input: busily for a while after a send, then asleep."""
        fd = self.fd
        while True:
            try:
                return os.readv(fd, buffers)
            except BlockingIOError:  # a descriptor that does not block (busy polling)
                pass
            if _monotonic() < self._last_send + self._busy_poll:
                _yield()  # a thread that has work on this core goes first
                continue
            if self._poller is None:
                import select

                self._poller = select.poll()
                self._poller.register(fd, select.POLLIN)
            self._poller.poll()

    def start(self):
        """Starts the thread that reads and dispatches frames until the other side closes the channel."""
        self._frames = self.frames()
        _thread.start_new_thread(self.read_here, ())

    def hand_off(self, ident):
        """Gives the reader role held by thread ``ident`` to a new thread; False if ``ident`` does not hold it.

        The caller is inside a handler on the reading thread; it stops reading once that handler returns.
        """
        if not self.give_up(ident):
            return False
        _thread.start_new_thread(self.read_here, ())
        return True

    def give_up(self, ident):
        """Takes the reader role from thread ``ident`` without giving it to anyone; the caller must make sure that a
        thread calls :meth:`read_here` soon.

        False if ``ident`` does not hold the role, or is not inside a handler: a reading thread that has gone back
        to the stream keeps it (two threads must never read at once).
        """
        with self._role_lock:
            if self.reader != ident or not self._dispatching:
                return False
            self.reader = None
        self.flush()
        return True

    def take_over(self, ident):
        """Gives the reader role, which :meth:`give_up` left with nobody, to thread ``ident`` as if it were inside a
        handler; the caller then dispatches a message it was handed and calls :meth:`still_reads`."""
        with self._role_lock:
            self.reader = ident
            self._dispatching = True

    def still_reads(self, ident):
        """After :meth:`take_over`: True if thread ``ident`` kept the role (it must now call :meth:`read_here`),
        False if its handler handed the role on meanwhile."""
        with self._role_lock:
            if self.reader != ident:
                return False
            self._dispatching = False
            return True

    def read_here(self):
        """Reads and dispatches frames on this thread until the role passes to another thread or the stream ends.

        After each frame that leaves nothing buffered, :attr:`before_wait` (if set) may take the role from this
        thread for another one; this thread then stops reading.
        """
        me = _thread.get_ident()
        with self._role_lock:
            self.reader = me
        frames = self._frames
        handlers = self._handlers
        loads = marshal.loads
        error = None
        try:
            for payload in frames:
                self._dispatching = True
                try:
                    message = loads(payload)
                    if self._consumed is not None:
                        self._release()
                    handler = handlers.get(message[0])
                    if handler is not None:
                        handler(message)
                    if not self.more and self.before_wait is not None:
                        self.before_wait(me)
                except KeyboardInterrupt:
                    pass  # aimed at a call that has ended; the handlers reply for calls they run themselves
                with self._role_lock:
                    if self.reader != me:
                        # The role passed to another thread while a handler ran; the flag is that thread's now,
                        # and clearing it would stop that thread's own handlers from handing the role on.
                        return
                    self._dispatching = False
        except Exception as caught:  # a broken channel ends the reader, never silently
            error = caught
        self.closed = True
        if self._on_close is not None:
            self._on_close(error)

    def frames(self):
        """Yields payloads until the end of the stream.

        A payload may be a view into the read buffer that the next step overwrites: decode it before asking for
        the next one.
        """
        limit = self.maximum_size
        read = self._read
        buffer = bytearray(_BUFFER_SIZE)
        view = memoryview(buffer)
        large = None
        start = end = 0
        while True:
            if end - start >= 4:
                size = int.from_bytes(buffer[start:start + 4], "little")
                if size & _NOTICE:
                    if end - start >= 12:
                        size &= ~_NOTICE
                        position = int.from_bytes(buffer[start + 4:start + 12], "little")
                        start += 12
                        self.more = start < end
                        incoming = self._incoming
                        offset = position % self._capacity if incoming is not None else 0
                        if incoming is None or size > limit or offset + size > self._capacity:
                            raise ProtocolError("a notice of a frame in shared memory that this channel does not have")
                        self._consumed = position + size
                        if not self._tuned:
                            self._tuned = True
                            keep_freed_memory()
                        yield incoming[offset:offset + size]
                        self._release()
                        continue
                elif size > limit:
                    raise ProtocolError("a frame of %d bytes exceeds the limit of %d bytes" % (size, limit))
                else:
                    stop = start + 4 + size
                    if stop <= end:
                        start = stop
                        self.more = stop < end
                        yield view[stop - size:stop]
                        continue
                    if 4 + size > _BUFFER_SIZE:
                        # A large frame: read the rest straight into a buffer kept for large frames (a fresh one
                        # each time would cost a page fault per 4 KiB).
                        self.more = False
                        if large is None or len(large) < size:
                            large = bytearray(size)
                        target = memoryview(large)[:size]
                        have = end - start - 4
                        target[:have] = view[start + 4:end]
                        start = end = 0
                        while have < size:
                            try:
                                count = read([target[have:]])
                            except KeyboardInterrupt:
                                continue
                            if count == 0:
                                raise ProtocolError("the channel closed in the middle of a frame")
                            have += count
                        yield target
                        if size > _LARGE_KEPT:
                            large = None
                        continue
            if self._deferred:
                self.flush()
            if start == end:
                start = end = 0
            elif end == _BUFFER_SIZE or start > _BUFFER_SIZE // 2:
                buffer[:end - start] = buffer[start:end]
                end -= start
                start = 0
            try:
                count = read([view[end:]])
            except KeyboardInterrupt:
                continue  # the main thread reads while it serves: a Ctrl-C aimed at a call that has ended
            if count == 0:
                if end != start:
                    raise ProtocolError("the channel closed in the middle of a frame")
                return
            end += count


def keep_freed_memory():
    """Makes glibc keep freed memory of up to 64 MiB for reuse, for a process that exchanges large messages.

    Each large message allocates and frees megabytes. By default glibc serves such blocks with fresh mappings or
    gives the top of its heap back at once, and every page of the next block faults in again: most of the time of a
    large round trip. Elsewhere (no glibc) this does nothing.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: blocks under 32 MiB come from the heap
        libc.mallopt(-1, 64 << 20)  # M_TRIM_THRESHOLD: up to 64 MiB free at the heap's top stays
    except (ImportError, OSError, AttributeError):
        pass


def _write_all(fd, buffers):
    views = [memoryview(buffer) for buffer in buffers]
    while views:
        count = os.writev(fd, views)
        while count:
            first = len(views[0])
            if count >= first:
                count -= first
                views.pop(0)
            else:
                views[0] = views[0][count:]
                count = 0
