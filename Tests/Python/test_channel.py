import marshal
import os
import socket
import threading
import unittest

import support  # noqa: F401

from jinn._channel import Channel, ProtocolError


class ChannelTests(unittest.TestCase):
    def setUp(self):
        self.ours, self.theirs = socket.socketpair()

    def tearDown(self):
        self.ours.close()
        self.theirs.close()

    def read_frame(self):
        size = int.from_bytes(self.theirs.recv(4, socket.MSG_WAITALL), "little")
        return marshal.loads(self.theirs.recv(size, socket.MSG_WAITALL)) if size else None

    def test_sends_length_prefixed_marshal_frames(self):
        channel = Channel(self.ours.fileno())
        channel.send(("message", {"a": [1, b"\x00"]}))
        self.assertEqual(self.read_frame(), ("message", {"a": [1, b"\x00"]}))

    def test_large_frames_cross_in_both_directions(self):
        payload = os.urandom(3 << 20)
        channel = Channel(self.ours.fileno())
        sender = threading.Thread(target=channel.send, args=(("blob", payload),))
        sender.start()
        self.assertEqual(self.read_frame(), ("blob", payload))
        sender.join()

    def test_reader_dispatches_by_kind_and_reports_the_end(self):
        closed = threading.Event()
        seen = []
        channel = Channel(self.ours.fileno(), on_close=lambda error: (seen.append(error), closed.set()))
        channel.on("ping", lambda message: seen.append(message))
        channel.start()
        for value in (1, 2):
            frame = marshal.dumps(("ping", value))
            self.theirs.sendall(len(frame).to_bytes(4, "little") + frame)
        self.theirs.shutdown(socket.SHUT_WR)
        self.assertTrue(closed.wait(5))
        self.assertEqual(seen, [("ping", 1), ("ping", 2), None])

    def test_oversized_and_truncated_frames_are_protocol_errors(self):
        channel = Channel(self.ours.fileno(), maximum_size=16)
        self.theirs.sendall((1000).to_bytes(4, "little"))
        with self.assertRaises(ProtocolError):
            next(channel.frames())
        other_ours, other_theirs = socket.socketpair()
        try:
            other_theirs.sendall((8).to_bytes(4, "little") + b"abc")
            other_theirs.close()
            with self.assertRaises(ProtocolError):
                list(Channel(other_ours.fileno()).frames())
        finally:
            other_ours.close()


if __name__ == "__main__":
    unittest.main()
