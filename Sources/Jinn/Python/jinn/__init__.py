"""The Python side of Jinn.

A program started by Jinn imports this package to talk to the Swift program that started it::

    import jinn

    threshold = jinn.threshold          # a value the Swift side set, also in jinn.values["threshold"]
    jinn.send({"status": "ready"})      # arrives in Swift on PythonProcess.messages
    reply = jinn.receive(timeout=5)     # a value the Swift side sent with PythonProcess.send(_:)
"""

__all__ = ["values", "send", "receive", "is_connected"]

#: The key/value pairs the Swift program set on the program; each is also an attribute of this module.
values = {}

_connection = None
_inbox = None


def is_connected():
    """Whether this interpreter was started by Jinn and can talk to the Swift side."""
    return _connection is not None


def send(value):
    """Sends a value to the Swift side, where it arrives on ``PythonProcess.messages``.

    The value may be None, a bool, int, float, str, bytes, or a list, tuple, dict or set of these.
    """
    from jinn import _values

    _require_channel().send(("message", _values.check(value)))


def receive(timeout=None):
    """Returns the next value the Swift side sent with ``PythonProcess.send(_:)``.

    Waits at most ``timeout`` seconds (forever when None) and raises ``TimeoutError`` when nothing came.
    """
    _require_channel()
    import _queue

    try:
        return _inbox.get(timeout=timeout)
    except _queue.Empty:
        raise TimeoutError("no message from the Swift side within %s seconds" % timeout) from None


def _require_channel():
    if _connection is None:
        raise RuntimeError("this interpreter was not started by Jinn, so there is no Swift side to talk to")
    return _connection


def _connect(channel, program_values):
    global _connection, _inbox
    import _queue

    reserved = set(globals())
    for name, value in program_values.items():
        if name in reserved:
            raise ValueError("the value name %r is reserved by the jinn module" % name)
        globals()[name] = value
    values.update(program_values)
    _inbox = _queue.SimpleQueue()
    channel.on("message", lambda message: _inbox.put(message[1]))
    _connection = channel
