"""The numbers of arrays, as they travel between Swift and the objects they are in Python.

An array's bytes cross once: a small array in the reply itself, a large one in pieces that Swift reads while it
decodes them (``jinn._objects.read``). numpy is imported only by an array that was made with it, or for Swift.
"""

import sys

_SMALL_ARRAY = 1 << 20           # arrays smaller than this travel in the reply itself
_SCALARS = frozenset((type(None), bool, int, float, str, bytes))  # buffers, but never arrays

_BUFFER_KINDS = {"b": "i", "h": "i", "i": "i", "l": "i", "q": "i", "n": "i",
                 "B": "u", "H": "u", "I": "u", "L": "u", "Q": "u", "N": "u",
                 "f": "f", "d": "f", "?": "b"}


def contents(value, handle):
    """The reply with the numbers of an array (a numpy array, a list numpy makes an array of, or any C-contiguous
    buffer of native numbers such as ``array.array``), or None when ``value`` is no such array.

    A large array stays in Python, under the handle that ``handle(source)`` gives it, for Swift to read in pieces.
    """
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, (numpy.ndarray, numpy.generic, list, tuple)):
        try:
            array = numpy.asarray(value, order="C")  # a copy only when it is not C-contiguous already
        except Exception:
            return None
        kind = array.dtype.kind
        if kind not in "biuf":
            return None
        if not array.dtype.isnative:
            array = array.astype(array.dtype.newbyteorder("="))
        dtype = "%s%d" % (kind, array.dtype.itemsize)
        shape = tuple(array.shape)
        size = array.nbytes
        source = array
    else:
        try:
            view = memoryview(value)
        except TypeError:
            return None
        kind = _BUFFER_KINDS.get(view.format.lstrip("@"))
        if kind is None or not view.c_contiguous or type(value) in _SCALARS:
            return None
        dtype = "%s%d" % (kind, view.itemsize)
        shape = tuple(view.shape)
        size = view.nbytes
        source = value
    if size < _SMALL_ARRAY:
        return (2, dtype, shape, memoryview(source).cast("B").tobytes() if size else b"")
    return (3, dtype, shape, size, _piece_size(), handle(source))


def _piece_size():
    # A quarter of the shared-memory ring: the reply to each read() is copied once into it, and the three that
    # Swift asks for at a time fit there while it decodes them. Without the rings, pieces stream through the pipe.
    import jinn

    channel = jinn._connection
    capacity = getattr(channel, "_capacity", 0) if channel is not None and channel.has_shared_memory else 0
    if not capacity:
        return 1 << 20
    return max(64 << 10, min(capacity // 4, 8 << 20))


def new_array(dtype, shape, data):
    """A numpy array of its own made from bytes Swift sent."""
    import numpy

    array = numpy.frombuffer(data, dtype=numpy.dtype(dtype))
    return array.reshape(shape).copy()  # frombuffer's array would be read-only, as the bytes are
