import marshal
import mmap
import os
import socket
import threading
import time
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

    def test_a_thread_that_gave_up_reading_leaves_the_new_readers_role_alone(self):
        # A slow handler's thread hands the reading on (as the watchdog does) and finishes while the new reading
        # thread is inside a handler of its own: that handler must still be able to hand the reading on (as
        # jinn.call does before it waits for Swift), or nobody would read the reply it waits for.
        channel = Channel(self.ours.fileno())
        slow_handed_off, release_slow, probe_entered, release_probe = (threading.Event() for _ in range(4))
        results = []

        def slow(message):
            results.append(("slow handed off", channel.hand_off(threading.get_ident())))
            slow_handed_off.set()
            release_slow.wait(5)

        def probe(message):
            probe_entered.set()
            release_probe.wait(5)
            results.append(("probe handed off", channel.hand_off(threading.get_ident())))

        channel.on("slow", slow)
        channel.on("probe", probe)
        channel.on("ping", lambda message: results.append(("ping", message[1])))
        channel.start()
        self.send_frame(("slow",))
        self.assertTrue(slow_handed_off.wait(5))
        self.send_frame(("probe",))
        self.assertTrue(probe_entered.wait(5))
        release_slow.set()
        time.sleep(0.2)  # the slow handler's thread returns and leaves the reading
        release_probe.set()
        self.send_frame(("ping", 1))
        deadline = time.monotonic() + 5
        while ("ping", 1) not in results and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertEqual(results, [("slow handed off", True), ("probe handed off", True), ("ping", 1)])

    def send_frame(self, message):
        frame = marshal.dumps(message)
        self.theirs.sendall(len(frame).to_bytes(4, "little") + frame)

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


class BusyPollingTests(unittest.TestCase):
    def frame(self, message):
        payload = marshal.dumps(message)
        return len(payload).to_bytes(4, "little") + payload

    def test_the_reader_polls_a_moment_after_a_send_then_sleeps(self):
        read_fd, their_write = os.pipe()
        their_read, write_fd = os.pipe()
        for fd in (read_fd, their_write, their_read, write_fd):
            self.addCleanup(os.close, fd)
        channel = Channel(read_fd, write_fd=write_fd, busy_poll=0.05)
        self.assertFalse(os.get_blocking(read_fd))
        frames = channel.frames()
        channel.send(("ping",))
        os.write(their_write, self.frame(("a", 1)))
        self.assertEqual(marshal.loads(next(frames)), ("a", 1))
        # A frame that comes long after the send is waited for asleep: little CPU time, whatever the wait.
        timer = threading.Timer(0.3, os.write, (their_write, self.frame(("b", 2))))
        timer.start()
        self.addCleanup(timer.cancel)
        cpu = time.thread_time()
        self.assertEqual(marshal.loads(next(frames)), ("b", 2))
        self.assertLess(time.thread_time() - cpu, 0.15)

    def test_a_socket_channel_never_polls(self):
        ours, theirs = socket.socketpair()
        self.addCleanup(ours.close)
        self.addCleanup(theirs.close)
        Channel(ours.fileno(), busy_poll=0.05)
        self.assertTrue(os.get_blocking(ours.fileno()))


class SharedMemoryChannelTests(unittest.TestCase):
    """Large frames through the rings, with this test standing in for the Swift side."""

    CAPACITY = 1 << 20

    def setUp(self):
        self.to_python = os.pipe()
        self.to_swift = os.pipe()
        size = 4096 + 2 * self.CAPACITY
        descriptor = os.memfd_create("jinn-test")
        os.ftruncate(descriptor, size)
        self.memory = mmap.mmap(descriptor, size)
        self.channel = Channel(self.to_python[0], write_fd=self.to_swift[1], shared=(os.dup(descriptor), self.CAPACITY))
        os.close(descriptor)
        view = memoryview(self.memory)
        self.counters = view[:128].cast("Q")
        self.towards_python = view[4096:4096 + self.CAPACITY]
        self.towards_swift = view[4096 + self.CAPACITY:]

    def tearDown(self):
        for descriptor in self.to_python + self.to_swift:
            os.close(descriptor)
        del self.counters, self.towards_python, self.towards_swift
        self.memory.close()

    def read_notice(self):
        header = os.read(self.to_swift[0], 12)
        size = int.from_bytes(header[:4], "little")
        self.assertTrue(size & (1 << 31), header)
        return int.from_bytes(header[4:], "little"), size & ~(1 << 31)

    def read_frame(self):
        size = int.from_bytes(os.read(self.to_swift[0], 4), "little")
        payload = b""
        while len(payload) < size:
            payload += os.read(self.to_swift[0], size - len(payload))
        return payload

    def test_large_frames_go_to_the_ring_and_small_ones_to_the_pipe(self):
        self.channel.send(("small", b"x" * 100))
        self.assertEqual(marshal.loads(self.read_frame()), ("small", b"x" * 100))
        blob = os.urandom(300_000)
        self.channel.send(("blob", blob))
        position, size = self.read_notice()
        self.assertEqual(position, 0)
        self.assertEqual(marshal.loads(self.towards_swift[:size]), ("blob", blob))
        self.channel.send(("blob", blob))
        self.assertEqual(self.read_notice(), (size, size))

    def test_a_full_ring_falls_back_to_the_pipe_until_it_is_handed_back(self):
        blob = os.urandom(400_000)
        self.channel.send(("blob", blob))
        first, size = self.read_notice()
        self.channel.send(("blob", blob))
        second, _ = self.read_notice()
        # The third does not fit before the first is handed back: it takes the pipe, whole.
        sender = threading.Thread(target=self.channel.send, args=(("blob", blob),))
        sender.start()
        self.assertEqual(marshal.loads(self.read_frame()), ("blob", blob))
        sender.join()
        # Once the Swift side has read both, the ring wraps to its start.
        self.counters[8] = second + size
        self.channel.send(("blob", blob))
        position, _ = self.read_notice()
        self.assertEqual(position % self.CAPACITY, 0)
        self.assertEqual(marshal.loads(self.towards_swift[:size]), ("blob", blob))

    def test_a_message_ending_with_bytes_is_written_as_marshal_would(self):
        blob = os.urandom(200_000)
        self.channel.send_ending_with(("result", 12345678901), blob)
        position, size = self.read_notice()
        self.assertEqual(bytes(self.towards_swift[position:position + size]),
                         marshal.dumps(("result", 12345678901, blob)))

    def test_frames_in_the_ring_are_read_and_handed_back(self):
        frame = marshal.dumps(("call", 1, "f", (os.urandom(100_000),), {}))
        position = 4096
        self.towards_python[position:position + len(frame)] = frame
        os.write(self.to_python[1], (len(frame) | 1 << 31).to_bytes(4, "little") + position.to_bytes(8, "little"))
        frames = self.channel.frames()
        self.assertEqual(marshal.loads(next(frames)), marshal.loads(frame))
        os.close(self.to_python[1])
        self.to_python = (self.to_python[0], os.open(os.devnull, os.O_RDONLY))
        self.assertEqual(list(frames), [])
        self.assertEqual(self.counters[0], position + len(frame))

    def test_a_notice_outside_the_ring_or_without_one_is_a_protocol_error(self):
        os.write(self.to_python[1], ((1 << 31) | 100).to_bytes(4, "little") + (self.CAPACITY - 10).to_bytes(8, "little"))
        with self.assertRaises(ProtocolError):
            next(self.channel.frames())
        ours, theirs = socket.socketpair()
        try:
            theirs.sendall(((1 << 31) | 100).to_bytes(4, "little") + bytes(8))
            with self.assertRaises(ProtocolError):
                next(Channel(ours.fileno()).frames())
        finally:
            ours.close()
            theirs.close()


if __name__ == "__main__":
    unittest.main()
