"""Arrays in shared memory, as numpy sees them: the header that Swift's ``SharedArrayHeader`` reads and writes, the
ndarrays over segments, and calls whose arguments or result are shared arrays.

The header (little-endian): magic ``JINNARRY``, version (u32, 1), rank (u32), dtype (numpy's type string in 8
bytes, NUL-padded), data offset (u64, a multiple of 64), data size (u64), flags (u32, bit 0: Fortran order),
element size (u32), 16 reserved bytes, then the shape and the strides in bytes (i64 each). numpy is imported only
when an array is made.
"""

import struct
import threading

from jinn import _segments

MAGIC = b"JINNARRY"
VERSION = 1
MAX_RANK = 32
_FIXED = struct.Struct("<8sII8sQQII16x")  # 64 bytes

_held = {}                 # token -> the ndarray of a Swift segment passed to a call, until Swift forgets it
_held_lock = threading.Lock()


class SharedArrayError(ValueError):
    """A segment whose header is not that of the array asked for, or a shape that does not fit."""


def data_offset(rank):
    return (64 + 16 * rank + 63) // 64 * 64


def header(dtype, shape, order):
    """The header bytes of an array of ``dtype`` (a numpy dtype) and ``shape``, in ``order`` ("C" or "F")."""
    shape = tuple(shape)
    if len(shape) > MAX_RANK:
        raise SharedArrayError("rank %d is above the limit of %d" % (len(shape), MAX_RANK))
    for dimension in shape:
        if not isinstance(dimension, int) or dimension < 0:
            raise SharedArrayError("shape %r has a dimension that is not a non-negative int" % (shape,))
    strides = [0] * len(shape)
    step = dtype.itemsize
    for index in (reversed(range(len(shape))) if order == "C" else range(len(shape))):
        strides[index] = step
        step *= max(shape[index], 1)
    count = 1
    for dimension in shape:
        count *= dimension
    nbytes = count * dtype.itemsize
    if nbytes >= 1 << 63:
        raise SharedArrayError("shape %r of %d-byte elements is too large" % (shape, dtype.itemsize))
    fixed = _FIXED.pack(MAGIC, VERSION, len(shape), dtype.str.encode(), data_offset(len(shape)), nbytes,
                        1 if order == "F" else 0, dtype.itemsize)
    return fixed + struct.pack("<%dq" % (2 * len(shape)), *shape, *strides), nbytes


def array_over(segment, label):
    """The ndarray described by the header at the start of ``segment``; it keeps the mapping alive."""
    import numpy

    size = segment.size
    if size < _FIXED.size:
        raise SharedArrayError("%s is too small for an array header: %d bytes" % (label, size))
    magic, version, rank, type_string, offset, nbytes, flags, itemsize = _FIXED.unpack_from(segment.buf, 0)
    if magic != MAGIC:
        raise SharedArrayError("the array header of %s does not match: its magic is %r, expected %r"
                               % (label, magic, MAGIC))
    if version != VERSION:
        raise SharedArrayError("the array header of %s does not match: its version is %d, expected %d"
                               % (label, version, VERSION))
    if rank > MAX_RANK or 64 + 16 * rank > size:
        raise SharedArrayError("the array header of %s does not match: its rank is %d" % (label, rank))
    try:
        dtype = numpy.dtype(type_string.rstrip(b"\0").decode("ascii"))
    except (TypeError, ValueError, UnicodeDecodeError):
        raise SharedArrayError("the array header of %s does not match: its dtype %r is not a numpy type string"
                               % (label, type_string)) from None
    if dtype.itemsize != itemsize or dtype.kind not in "biuf" or not dtype.isnative:
        raise SharedArrayError("the array header of %s does not match: its dtype is %s of %d bytes, expected a "
                               "native number or bool" % (label, dtype.str, itemsize))
    values = struct.unpack_from("<%dq" % (2 * rank), segment.buf, 64)
    shape, strides = values[:rank], values[rank:]
    order = "F" if flags & 1 else "C"
    expected, expected_bytes = header(dtype, shape, order)  # checks the shape
    if offset != data_offset(rank):
        raise SharedArrayError("the array header of %s does not match: its data offset is %d, expected %d"
                               % (label, offset, data_offset(rank)))
    if nbytes != expected_bytes:
        raise SharedArrayError("the array header of %s does not match: its data size is %d bytes, expected %d"
                               % (label, nbytes, expected_bytes))
    expected_strides = struct.unpack_from("<%dq" % rank, expected, 64 + 8 * rank)
    if tuple(strides) != expected_strides and expected_bytes:
        raise SharedArrayError("the array header of %s does not match: its strides are %r, expected %r"
                               % (label, tuple(strides), expected_strides))
    if offset + nbytes > size:
        raise SharedArrayError("the array header of %s describes shape %r (%d bytes with the header), but the "
                               "segment has only %d bytes" % (label, tuple(shape), offset + nbytes, size))
    # frombuffer holds the mapping's buffer export for as long as the array and its views live, so the mapping
    # cannot be closed under them; numpy.ndarray(buffer=...) holds none (numpy issues 18294, 23305).
    count = expected_bytes // dtype.itemsize
    return numpy.frombuffer(segment.buf, dtype, count, offset).reshape(shape, order=order)


def shared_array(name):
    """The ndarray of the named shared array ``name`` (made by Swift or by ``create_shared_array``), over the
    same pages; opening it neither changes nor unlinks it."""
    segment = _segments.open_segment(name)
    try:
        return array_over(segment, "shared memory %r" % segment.name)
    except BaseException:
        segment.close()
        raise


def create_shared_array(name, shape, dtype="float64", order="C"):
    """A new named shared array of zeros that Swift opens with ``SharedArray<Element>(opening: name)``. This
    process owns the name: it is unlinked at exit, when this process is killed, or by ``unlink_shared_memory``."""
    import numpy

    dtype = numpy.dtype(dtype)
    if dtype.kind not in "biuf":
        raise TypeError("a shared array holds numbers or bools, not %s" % dtype)
    if order not in ("C", "F"):
        raise ValueError("order is 'C' or 'F', not %r" % (order,))
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    head, nbytes = header(dtype, shape, order)
    segment = _segments.create_segment(name, data_offset(len(shape)) + max(nbytes, 1))
    segment.buf[:len(head)] = head
    return array_over(segment, "shared memory %r" % segment.name)


# -- calls from Swift


def invoke(target, args, kwargs):
    """Calls ``target`` with the shared arrays among its arguments made ndarray views."""
    from jinn import _targets

    if not isinstance(target, str):
        raise TypeError("shared arrays are passed to functions named by a dotted name")
    function = _targets.resolve(target)
    return function(*[_argument(value) for value in args], **{key: _argument(value) for key, value in kwargs.items()})


def invoke_into(target, type_string, token, args, kwargs):
    """Calls ``target`` and copies its result, once, into a new anonymous shared array of ``type_string``, whose
    descriptor goes to Swift with ``token`` before this returns ``token``."""
    import numpy

    result = invoke(target, args, kwargs)
    array = numpy.asarray(result)
    dtype = numpy.dtype(type_string)
    if array.dtype.kind not in "biuf" or not numpy.can_cast(array.dtype, dtype, "same_kind"):
        raise TypeError("%s returned an array of %s, which does not convert to %s" % (target, array.dtype, dtype))
    order = "F" if array.flags.f_contiguous and not array.flags.c_contiguous else "C"
    head, nbytes = header(dtype, array.shape, order)
    offset = data_offset(array.ndim)

    def fill(mapping):
        mapping[:len(head)] = head
        view = numpy.ndarray(array.shape, dtype, buffer=mapping, offset=offset, order=order)
        numpy.copyto(view, array, casting="same_kind")
        del view

    _segments.send_new(offset + max(nbytes, 1), fill, token)
    return token


def forget(token):
    """Swift closed its segment: drop this process's hold (views made of it keep their mapping until they go), or
    its descriptor if no call has used it yet."""
    with _held_lock:
        _held.pop(token, None)
    _segments.discard(token)


def _argument(value):
    if type(value) is tuple and len(value) == 3 and value[0] == "jinn.shared":
        return view(value)
    return value


def view(reference):
    """An ndarray view of the shared array that ``("jinn.shared", token, name)`` names."""
    _, token, name = reference
    # The header is read once per segment; each call gets a view of its own, whose shape or flags the called
    # function may change without changing the next call's.
    with _held_lock:
        array = _held.get(token)
        if array is None:
            segment = _segments.open_segment(name) if name is not None else _segments.receive(token)
            try:
                array = array_over(segment, "shared memory %r" % name if name else "an anonymous segment")
            except BaseException:
                segment.close()
                raise
            _held[token] = array
    return array.view()
