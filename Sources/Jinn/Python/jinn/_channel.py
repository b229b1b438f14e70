"""The message channel to the Swift side: length-prefixed ``marshal`` frames over one stream socket.

Every frame is a 4-byte little-endian length and a ``marshal`` payload holding a tuple whose first element names
the kind of message. One thread reads and dispatches frames; any thread may send.
"""

import _thread
import marshal
import os

#: Frames larger than this are refused unless the Swift side asks for another limit.
DEFAULT_MAXIMUM_SIZE = 256 << 20

_READ_CHUNK = 256 << 10


class ProtocolError(Exception):
    """The bytes on the channel do not follow the protocol."""


class Channel:
    """One end of a framed channel on a stream descriptor."""

    def __init__(self, fd, maximum_size=DEFAULT_MAXIMUM_SIZE, on_close=None):
        self.fd = fd
        self.maximum_size = maximum_size
        self._send_lock = _thread.allocate_lock()
        self._handlers = {}
        self._on_close = on_close
        self.closed = False

    def on(self, kind, handler):
        """Calls ``handler(message)`` on the reading thread for every message whose first element is ``kind``."""
        self._handlers[kind] = handler

    def send(self, message):
        """Sends one message (a tuple of marshallable values); safe to call from any thread."""
        self.send_payload(marshal.dumps(message))

    def send_payload(self, payload):
        """Sends an already encoded payload."""
        header = len(payload).to_bytes(4, "little")
        with self._send_lock:
            if len(payload) < 65536:
                _write_all(self.fd, [header + payload])
            else:
                _write_all(self.fd, [header, payload])

    def start(self):
        """Starts the thread that reads and dispatches frames until the other side closes the channel."""
        _thread.start_new_thread(self._run, ())

    def _run(self):
        error = None
        try:
            for payload in self.frames():
                message = marshal.loads(payload)
                handler = self._handlers.get(message[0])
                if handler is not None:
                    handler(message)
        except Exception as caught:  # a broken channel ends the reader, never silently
            error = caught
        self.closed = True
        if self._on_close is not None:
            self._on_close(error)

    def frames(self):
        """Yields payloads until the end of the stream."""
        fd = self.fd
        buffer = b""
        while True:
            while len(buffer) < 4:
                chunk = os.read(fd, _READ_CHUNK)
                if not chunk:
                    if buffer:
                        raise ProtocolError("the channel closed in the middle of a frame header")
                    return
                buffer += chunk
            size = int.from_bytes(buffer[:4], "little")
            if size > self.maximum_size:
                raise ProtocolError(
                    "a frame of %d bytes exceeds the limit of %d bytes" % (size, self.maximum_size))
            end = 4 + size
            if len(buffer) >= end:
                payload = buffer[4:end]
                buffer = buffer[end:]
                yield payload
                continue
            # A large frame: read the rest straight into its final buffer.
            payload = bytearray(size)
            have = len(buffer) - 4
            payload[:have] = buffer[4:]
            view = memoryview(payload)
            while have < size:
                count = os.readv(fd, [view[have:]])
                if count == 0:
                    raise ProtocolError("the channel closed in the middle of a frame")
                have += count
            buffer = b""
            yield payload


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
