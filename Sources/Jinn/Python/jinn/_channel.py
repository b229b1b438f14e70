"""The message channel to the Swift side: length-prefixed ``marshal`` frames over one stream socket.

Every frame is a 4-byte little-endian length and a ``marshal`` payload holding a tuple whose first element names
the kind of message. One thread at a time reads and dispatches frames; any thread may send.

The thread that reads may run a handler that takes long (a call from Swift runs on the reading thread while it is
quick). Such a handler calls :meth:`Channel.hand_off`: a new thread takes over the reading at once and the old one
stops reading when its handler returns. The frames stay in order because only the thread holding the reader role
ever touches the stream.
"""

import _thread
import marshal
import os

#: Frames larger than this are refused unless the Swift side asks for another limit.
DEFAULT_MAXIMUM_SIZE = 256 << 20

# Reads land in one buffer that lives as long as the channel: allocating a large buffer per read costs an mmap
# and page faults every time, more than the rest of a round trip.
_BUFFER_SIZE = 256 << 10
# The largest buffer for large frames kept between frames.
_LARGE_KEPT = 64 << 20


class ProtocolError(Exception):
    """The bytes on the channel do not follow the protocol."""


class MessageTooLarge(ValueError):
    """A message is larger than the channel's limit, so it was not sent."""


class Channel:
    """One end of a framed channel on a stream descriptor."""

    def __init__(self, fd, maximum_size=DEFAULT_MAXIMUM_SIZE, on_close=None):
        self.fd = fd
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
        #: reader role for another thread (see :meth:`give_up`) and return True.
        self.before_wait = None
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
        with self._send_lock:
            if size < 65536:
                data = header + payload
                written = os.write(self.fd, data)
                if written != len(data):
                    _write_all(self.fd, [memoryview(data)[written:]])
            else:
                _write_all(self.fd, [header, payload])

    def defer(self, payload):
        """Sends a payload together with others, before the reading thread next waits for input.

        For the reading thread, while :attr:`more` frames wait to be handled: their replies leave in one write.
        """
        data = len(payload).to_bytes(4, "little") + payload
        with self._send_lock:
            self._deferred.append(data)

    def flush(self):
        """Sends the deferred payloads."""
        with self._send_lock:
            deferred = self._deferred
            if deferred:
                self._deferred = []
                _write_all(self.fd, [b"".join(deferred)])

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
        thread calls :meth:`read_here` soon. False if ``ident`` does not hold the role."""
        with self._role_lock:
            if self.reader != ident:
                return False
            self.reader = None
        self.flush()
        return True

    def read_here(self):
        """Reads and dispatches frames on this thread until the role passes to another thread or the stream ends.

        After each frame that leaves nothing buffered, :attr:`before_wait` (if set) may take the role from this
        thread for another one, returning True; this thread then stops reading.
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
                try:
                    message = loads(payload)
                    handler = handlers.get(message[0])
                    if handler is not None:
                        handler(message)
                except KeyboardInterrupt:
                    pass  # aimed at a call that has ended; the handlers reply for calls they run themselves
                if self.reader != me:
                    return  # a slow handler handed the reading to another thread
                if not self.more and self.before_wait is not None and self.before_wait(me):
                    return
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
        fd = self.fd
        limit = self.maximum_size
        readv = os.readv
        buffer = bytearray(_BUFFER_SIZE)
        view = memoryview(buffer)
        large = None
        start = end = 0
        while True:
            if end - start >= 4:
                size = int.from_bytes(buffer[start:start + 4], "little")
                if size > limit:
                    raise ProtocolError("a frame of %d bytes exceeds the limit of %d bytes" % (size, limit))
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
                            count = readv(fd, [target[have:]])
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
                count = readv(fd, [view[end:]])
            except KeyboardInterrupt:
                continue  # the main thread reads while it serves: a Ctrl-C aimed at a call that has ended
            if count == 0:
                if end != start:
                    raise ProtocolError("the channel closed in the middle of a frame")
                return
            end += count


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
