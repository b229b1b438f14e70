"""The pages runs write: learned from a few runs of a zygote, written ahead in each later run-to-be.

A forked run pays a page fault (about 3 µs on a virtual machine) for each page it shares with its zygote and
first writes, and the runs of one zygote write much the same pages: the reference counts, caches and allocator
state of what every run touches (about 200 pages for a numpy script). A run the zygote chose to learn lists, once
it has announced its end and with the processor time no one else wants, the pages it owns alone
(:func:`owned_pages`, from Linux's ``/proc/self/pagemap``). The zygote keeps those of its own private writable
mappings (:func:`shareable`), and each spare's run-to-be copies them while it waits for its request
(:func:`write_ahead`, with ``MADV_POPULATE_WRITE``, Linux 5.14). Copying a page ahead costs about what its fault
would (the copy, not the trap, is the cost), but it is spent before the run, not during it; a page the run-to-be
already wrote (its rehearsal's) costs next to nothing.

Everything here is an optimisation: on another system, or a kernel without what it needs, learning finds nothing
and writing ahead does nothing."""

import bisect
import os
import re
import sys
from array import array

# The most pages a zygote has its runs-to-be write ahead (8 MiB of 4 KiB pages), and the most ranges they form.
MAX_PAGES = 2048
MAX_RANGES = 512

_MADV_POPULATE_WRITE = 23
_PROCESS_MADVISE = 440
# Byte 7 of a little-endian pagemap entry holds bit 63 (present, 0x80) and bit 56 (exclusively mapped, 0x01).
_OWNED = bytes(1 if byte & 0x81 == 0x81 else 0 for byte in range(256))
_RUN = re.compile(b"\x01+")


def page_size():
    try:
        return os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):  # pragma: no cover
        return 4096


def private_writable(maps_text):
    """The ``(start, end)`` of each private writable mapping in a ``/proc/PID/maps`` text."""
    result = []
    for line in maps_text.splitlines():
        fields = line.split(None, 5)
        if len(fields) < 5 or fields[1][:2] != "rw" or fields[1][3:4] != "p":
            continue
        start, _, end = fields[0].partition("-")
        result.append((int(start, 16), int(end, 16)))
    return result


def own_mappings():
    """This process's private writable mappings (empty where there is no ``/proc/self/maps``)."""
    try:
        with open("/proc/self/maps") as maps:
            return private_writable(maps.read())
    except OSError:
        return []


def owned_pages(mappings=None, limit=None):
    """The pages of this process's private writable mappings that are present and mapped by this process alone,
    as ``(address, count)`` ranges (at most ``limit`` of them); empty where ``/proc/self/pagemap`` cannot be read."""
    if not sys.platform.startswith("linux"):
        return []
    mappings = own_mappings() if mappings is None else mappings
    size = page_size()
    ranges = []
    try:
        pagemap = os.open("/proc/self/pagemap", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return []
    try:
        for start, end in mappings:
            first, count = start // size, (end - start) // size
            try:
                entries = os.pread(pagemap, count * 8, first * 8)
            except OSError:
                continue
            flags = entries[7::8].translate(_OWNED)
            for owned in _RUN.finditer(flags):
                ranges.append(((first + owned.start()) * size, owned.end() - owned.start()))
                if limit is not None and len(ranges) == limit:
                    return ranges
    finally:
        os.close(pagemap)
    return ranges


def yield_processor():
    """Makes the rest of this process's life run only on time no other process wants (``SCHED_IDLE``, or the
    lowest priority), as a run does once it has told its end and only learning is left."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        try:
            os.nice(19)
        except OSError:  # pragma: no cover
            pass


def encode(ranges):
    """Ranges as the bytes of a run's page report: a 4-byte length, then pairs of little-endian 64-bit numbers."""
    numbers = array("Q", [number for pair in ranges for number in pair])
    if sys.byteorder != "little":  # pragma: no cover
        numbers.byteswap()
    data = numbers.tobytes()
    return len(data).to_bytes(4, "little") + data


def decode(data):
    """The ranges of a complete page report, or None while it is incomplete (or malformed: too short a length)."""
    if len(data) < 4:
        return None
    size = int.from_bytes(data[:4], "little")
    if len(data) < 4 + size or size % 16:
        return None
    numbers = array("Q")
    numbers.frombytes(data[4:4 + size])
    if sys.byteorder != "little":  # pragma: no cover
        numbers.byteswap()
    return list(zip(numbers[0::2], numbers[1::2]))


def shareable(learned, known, mappings, limit=MAX_PAGES):
    """What runs-to-be write ahead after a run learned ``learned``: the ranges ``known`` so far and the new ones,
    cut to ``mappings`` (the zygote's private writable mappings, sorted, which every run-to-be it forks has; a
    run's own new mappings are not theirs), merged and sorted, at most ``limit`` pages in ``MAX_RANGES`` ranges."""
    size = page_size()
    starts = [start for start, _ in mappings]
    pieces = []
    for address, count in list(known) + list(learned):
        end_of_range = address + count * size
        index = max(0, bisect.bisect_right(starts, address) - 1)
        while index < len(mappings) and mappings[index][0] < end_of_range:
            low, high = max(address, mappings[index][0]), min(end_of_range, mappings[index][1])
            if low < high:
                pieces.append((low, high))
            index += 1
    pieces.sort()
    merged = []
    for low, high in pieces:
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    result, total = [], 0
    for low, high in merged[:MAX_RANGES]:
        count = min((high - low) // size, limit - total)
        if count <= 0:
            break
        result.append((low, count))
        total += count
    return result


def writer():
    """A function ``write(ranges)`` that copies ``(address, count)`` ranges of this process's private pages as
    writes would, without changing them, and returns how many pages it asked for (0 where the kernel cannot);
    None off Linux or without ctypes.

    All the ranges go in one ``process_madvise`` call where it takes ``MADV_POPULATE_WRITE`` for the calling
    process (Linux 6.13): a call costs about twice what copying a page does, and a run's pages are scattered.
    Elsewhere each range takes a ``madvise`` call."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        madvise, syscall = libc.madvise, libc.syscall
    except (ImportError, OSError, AttributeError):  # pragma: no cover
        return None
    import errno
    import platform

    madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    madvise.restype = ctypes.c_int
    syscall.restype = ctypes.c_long
    # process_madvise's number is the same on the architectures that share the generic system call table.
    batch = [hasattr(os, "pidfd_open") and platform.machine() in ("x86_64", "aarch64", "arm64")]
    size = page_size()

    def write_batch(ranges):
        pairs = array("Q", [number for address, count in ranges for number in (address, count * size)])
        vectors = bytearray(pairs.tobytes())
        try:
            pidfd = os.pidfd_open(os.getpid())
        except OSError:
            return False
        try:
            done = syscall(ctypes.c_long(_PROCESS_MADVISE), ctypes.c_int(pidfd),
                           (ctypes.c_char * len(vectors)).from_buffer(vectors), ctypes.c_size_t(len(ranges)),
                           ctypes.c_int(_MADV_POPULATE_WRITE), ctypes.c_uint(0))
        finally:
            os.close(pidfd)
        if done == sum(count for _, count in ranges) * size:
            return True
        if done < 0 and ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS, errno.EPERM):
            batch[0] = False  # this kernel takes the advice only from madvise
        return False

    def write(ranges):
        ranges = list(ranges)
        if not ranges:
            return 0
        if batch[0] and write_batch(ranges):
            return sum(count for _, count in ranges)
        asked = 0
        for address, count in ranges:  # one by one; a range no longer mapped (ENOMEM) is passed over
            if madvise(address, count * size, _MADV_POPULATE_WRITE) != 0 and ctypes.get_errno() == errno.EINVAL:
                break  # a kernel older than 5.14
            asked += count
        return asked

    return write


def write_ahead(ranges, write):
    """Copies ``ranges`` of this process's pages ahead of the run with ``write`` (see :func:`writer`, None: no
    writing ahead). Returns how many pages were asked for."""
    return 0 if write is None else write(ranges)
