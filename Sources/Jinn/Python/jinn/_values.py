"""Checks that a value can travel to the Swift side, and names what cannot."""

_SCALARS = (type(None), bool, int, float, str, bytes)
_BUFFERS = (bytearray, memoryview)


def check(value):
    """Returns ``value`` unchanged if it can be sent, else raises ``TypeError`` naming the offending type.

    ``bytearray`` and ``memoryview`` travel as bytes; containers are checked all the way down.
    """
    _check(value, "value", 0)
    return value


def _check(value, where, depth):
    kind = type(value)
    if kind in _SCALARS or kind in _BUFFERS:
        return
    if depth > 500:
        raise TypeError("%s is nested too deeply to send" % where)
    if kind in (list, tuple, set, frozenset):
        for index, element in enumerate(value):
            _check(element, "%s[%d]" % (where, index), depth + 1)
        return
    if kind is dict:
        for key, element in value.items():
            _check(key, "a key of %s" % where, depth + 1)
            _check(element, "%s[%r]" % (where, key), depth + 1)
        return
    raise TypeError("cannot send %s of type %s.%s: only None, bool, int, float, str, bytes, list, tuple, "
                    "dict and set travel to Swift" % (where, kind.__module__, kind.__qualname__))
