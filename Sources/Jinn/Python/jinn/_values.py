"""Checks that a value can travel to the Swift side, makes values of subclasses travel as their plain type, and names
what cannot travel."""

_SCALARS = frozenset((type(None), bool, int, float, str, bytes, bytearray, memoryview))
_SEQUENCES = frozenset((list, tuple, set, frozenset))
_CONTAINERS = (dict, list, tuple, set, frozenset)
_MAX_DEPTH = 500
_NOT_PLAIN = object()
_converters = {}  # type that is not plain -> the function that makes its values plain, or None


class _Unsendable(Exception):
    pass


def check(value, where="value"):
    """Returns the value to send in place of ``value``, else raises ``TypeError`` naming the offending part.

    ``bytearray`` and ``memoryview`` travel as bytes; containers are checked all the way down. ``marshal`` takes
    the plain types only, not their subclasses, so values of subclasses (``IntEnum`` and ``IntFlag`` members,
    ``str`` and ``bytes`` subclasses, ``numpy.float64``, named tuples, ``OrderedDict``) and numpy's bool, integer
    and floating scalars travel as their plain type: a value holding any of them is returned as a copy made of
    plain types only, and a value made of plain types only is returned as it is. ``where`` names the value in the
    message, as in "cannot send the result[2] of type ...".
    """
    if type(value) in _SCALARS or _fits(value, 0):
        return value
    try:
        return _converted(value, 0)
    except _Unsendable:
        pass
    _explain(value, where, 0)
    raise TypeError("cannot send %s" % where)  # _explain names the part; this is not reached


def _fits(value, depth):
    # The quick pass: no strings are built unless something does not fit.
    kind = type(value)
    if kind in _SCALARS:
        return True
    if depth > _MAX_DEPTH:
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


def _converted(value, depth):
    # The slow pass, for a value that does not fit as it is: a copy with every part of a plain type.
    kind = type(value)
    if kind in _SCALARS:
        return value
    if depth > _MAX_DEPTH:
        raise _Unsendable
    scalars = _SCALARS
    depth += 1
    if kind is dict:
        return {key if type(key) in scalars else _converted(key, depth):
                element if type(element) in scalars else _converted(element, depth)
                for key, element in value.items()}
    if kind in _SEQUENCES:
        return kind([element if type(element) in scalars else _converted(element, depth) for element in value])
    plain = _plain_scalar(value)
    if plain is not _NOT_PLAIN:
        return plain
    for base in _CONTAINERS:
        if isinstance(value, base):
            return _converted(base(value.items()) if base is dict else base(value), depth - 1)
    raise _Unsendable


def _plain_scalar(value):
    """The value of a subclass of a plain scalar type, or of a numpy scalar, as its plain type; else _NOT_PLAIN."""
    kind = type(value)
    convert = _converters.get(kind, _NOT_PLAIN)
    if convert is _NOT_PLAIN:
        convert = _converter(kind)
        if len(_converters) >= 1024:
            _converters.clear()
        _converters[kind] = convert
    if convert is None:
        return _NOT_PLAIN
    try:
        return convert(value)
    except Exception:  # a numpy scalar that has no value of that type
        return _NOT_PLAIN


def _converter(kind):
    # The base types' own methods read the value, so that methods a subclass overrides (``__str__`` of a ``str``
    # enum, say) play no part. bool cannot be subclassed: the int subclasses are IntEnum, IntFlag and the like.
    if issubclass(kind, int):
        return int.__int__
    if issubclass(kind, float):  # numpy.float64 among them
        return float.__float__
    if issubclass(kind, str):
        return str.__str__
    if issubclass(kind, bytes):
        return _bytes_copy
    if issubclass(kind, bytearray):
        return _bytearray_copy
    # numpy's scalar types derive from numpy.generic and from its abstract kinds (numpy.integer, numpy.floating),
    # recognised by name so that numpy is never imported here.
    names = set()
    for base in getattr(kind, "__mro__", ()):
        if getattr(base, "__module__", None) == "numpy":
            names.add(base.__name__)
    if "generic" not in names:
        return None
    if "bool" in names or "bool_" in names:  # before int: numpy.bool_ is not an integer
        return bool
    if "integer" in names and "timedelta64" not in names:  # a time span is not a number of its own
        import operator

        return operator.index
    if "floating" in names:
        return float
    return None


def _bytes_copy(value):
    return bytes.__getitem__(value, slice(None))


def _bytearray_copy(value):
    return bytearray.__getitem__(value, slice(None))


def _explain(value, where, depth):
    kind = type(value)
    if kind in _SCALARS:
        return
    if depth > _MAX_DEPTH:
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
    if _plain_scalar(value) is not _NOT_PLAIN:
        return
    for base in _CONTAINERS:
        if isinstance(value, base):
            _explain(base(value.items()) if base is dict else base(value), where, depth)
            return
    raise TypeError("cannot send %s of type %s.%s: only None, bool, int, float, str, bytes, list, tuple, "
                    "dict and set travel to Swift" % (where, kind.__module__, kind.__qualname__))
