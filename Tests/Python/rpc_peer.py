"""A peer that speaks the channel protocol the way the Swift side does, over a real socket, for the tests of the
calls and REPL machinery. The interpreter running the tests is the Python side: :func:`connect` connects it once."""

import marshal
import socket
import threading
import time

import support  # also puts the jinn sources on the path

import jinn
from jinn import _channel

class Peer:
    """The Swift end of the channel: sends calls, collects replies, answers calls into Swift."""

    def __init__(self, sock):
        self.sock = sock
        self.lock = threading.Lock()
        self.condition = threading.Condition()
        self.replies = {}       # id -> message
        self.events = []        # other messages, in order
        self.handlers = {}      # Swift handler name -> function(value) -> value (raise to fail)
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def send(self, message):
        payload = marshal.dumps(message)
        with self.lock:
            self.sock.sendall(len(payload).to_bytes(4, "little") + payload)

    def _read(self):
        for message in support.read_messages(self.sock):
            self._dispatch(message)

    def _dispatch(self, message):
        kind = message[0]
        if kind == "swift.call":
            threading.Thread(target=self._answer, args=(message,), daemon=True).start()
            return
        with self.condition:
            if kind in ("result", "error"):
                self.replies[message[1]] = message
            else:
                self.events.append(message)
            self.condition.notify_all()

    def _answer(self, message):
        _, call_id, name, value = message
        handler = self.handlers.get(name)
        try:
            if handler is None:
                raise LookupError("no Swift handler is registered under the name '%s'" % name)
            self.send(("swift.result", call_id, handler(value)))
        except Exception as error:
            self.send(("swift.error", call_id, str(error), type(error).__name__))

    def start_call(self, target, *args, **kwargs):
        with self.condition:
            self.next_id += 1
            call_id = self.next_id
        self.send(("call", call_id, target, args, kwargs))
        return call_id

    def reply(self, call_id, timeout=10):
        deadline = time.monotonic() + timeout
        with self.condition:
            while call_id not in self.replies:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("no reply to call %d within %s seconds" % (call_id, timeout))
                self.condition.wait(remaining)
            return self.replies.pop(call_id)

    def call(self, target, *args, **kwargs):
        return self.reply(self.start_call(target, *args, **kwargs))

    def value(self, target, *args, **kwargs):
        message = self.call(target, *args, **kwargs)
        if message[0] != "result":
            raise AssertionError("the call failed: %r" % (message[2],))
        return message[2]

    def wait_for(self, predicate, timeout=10):
        deadline = time.monotonic() + timeout
        with self.condition:
            while True:
                for event in self.events:
                    if predicate(event):
                        self.events.remove(event)
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("no matching message within %s seconds: %r" % (timeout, self.events))
                self.condition.wait(remaining)


_peer = None


def _closed(error):
    if error is not None:
        import traceback
        traceback.print_exception(error)


def connect():
    """The peer, connected to this interpreter's jinn module (once per process)."""
    global _peer
    if _peer is None:
        ours, theirs = socket.socketpair()
        channel = _channel.Channel(ours.detach(), maximum_size=1 << 20, on_close=_closed)
        jinn._connect(channel, {})
        channel.start()
        _peer = Peer(theirs)
    return _peer
