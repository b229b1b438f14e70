"""Checks that a value can travel to the Swift side, and names what cannot."""

_SCALARS = frozenset((type(None), bool, int, float, str, bytes, bytearray, memoryview))
_SEQUENCES = frozenset((list, tuple, set, frozenset))


def check(value, where="value"):
    """Returns ``value`` unchanged if it can be sent, else raises ``TypeError`` naming the offending part.

    ``bytearray`` and ``memoryview`` travel as bytes; containers are checked all the way down. ``where`` names the
    value in the message, as in "cannot send the result[2] of type ...".
    """
    if type(value) not in _SCALARS and not _fits(value, 0):
        _explain(value, where, 0)
    return value


def _fits(value, depth):
    # The quick pass: no strings are built unless something does not fit.
    kind = type(value)
    if kind in _SCALARS:
        return True
    if depth > 500:
        return False
    if kind in _SEQUENCES:
        scalars = _SCALARS
        for element in value:
            if type(element) not in scalars and not _fits(element, depth + 1):
                return False
        return True
    if kind is dict:
        for key, element in value.items():
            if not _fits(key, depth + 1) or not _fits(element, depth + 1):
                return False
        return True
    return False


def _explain(value, where, depth):
    kind = type(value)
    if kind in _SCALARS:
        return
    if depth > 500:
        raise TypeError("%s is nested too deeply to send" % where)
    if kind in _SEQUENCES:
        for index, element in enumerate(value):
            _explain(element, "%s[%d]" % (where, index), depth + 1)
        return
    if kind is dict:
        for key, element in value.items():
            _explain(key, "a key of %s" % where, depth + 1)
            _explain(element, "%s[%r]" % (where, key), depth + 1)
        return
    raise TypeError("cannot send %s of type %s.%s: only None, bool, int, float, str, bytes, list, tuple, "
                    "dict and set travel to Swift" % (where, kind.__module__, kind.__qualname__))
