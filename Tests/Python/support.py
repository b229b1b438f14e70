"""Makes the embedded ``jinn`` package importable from the source tree for these tests."""

import marshal
import os
import sys

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "Jinn", "Python")
if SOURCE not in sys.path:
    sys.path.insert(0, os.path.normpath(SOURCE))


def read_messages(sock):
    """Yields the marshal messages of the frames read from a socket, the Swift side's way, until it closes."""
    buffer = b""
    while True:
        try:
            chunk = sock.recv(1 << 20)
        except OSError:
            return
        if not chunk:
            return
        buffer += chunk
        while len(buffer) >= 4:
            size = int.from_bytes(buffer[:4], "little")
            if len(buffer) < 4 + size:
                break
            message = marshal.loads(buffer[4:4 + size])
            buffer = buffer[4 + size:]
            yield message
