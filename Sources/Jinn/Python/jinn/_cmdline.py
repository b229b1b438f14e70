"""A run's command line as ``ps`` shows it: the one ``python3`` would have.

A run is a forked zygote, whose argument area holds the bootstrap (``python3 -u -c ...``), and Linux shows a
process's command line from that area. A run writes its own over it (Linux only), as ``setproctitle`` does: the
interpreter, then the script (or ``-c`` code, or ``-m`` module) and its arguments, joined by spaces and cut to the
area's length. The area's last byte is then no longer a NUL, so the kernel shows it up to its first NUL: ``ps``,
``top`` and ``psutil`` show the line python3's would have; ``/proc/PID/cmdline`` holds it as one string, since
the area can be made to hold separate arguments of other lengths only with ``CAP_SYS_RESOURCE``.

:func:`prepare` runs in the zygote (it finds the area); :func:`set_command_line` in each run.
"""

import os
import sys

_AREA = None  # (start, end) of the argument area
_MEMMOVE = None


def prepare():
    """In the zygote: finds the argument area; leaves it unset off Linux or without ctypes."""
    global _AREA, _MEMMOVE
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        with open("/proc/self/stat", "rb") as file:
            _AREA = argument_area(file.read())
        _MEMMOVE = ctypes.memmove
    except (ImportError, OSError, ValueError, IndexError):  # pragma: no cover - no ctypes, no /proc
        _AREA = None


def argument_area(stat):
    """``(arg_start, arg_end)`` from the text of ``/proc/PID/stat`` (its fields 48 and 49)."""
    fields = stat[stat.rindex(b")") + 2:].split()
    # Field 3 (the state) is the first after the command's closing parenthesis.
    return int(fields[48 - 3]), int(fields[49 - 3])


def title(arguments, size):
    """The bytes written over an area of ``size`` bytes: the arguments joined by spaces, cut to fit, a NUL, and
    spaces to the end."""
    line = b" ".join(os.fsencode(argument) for argument in arguments)[:size - 1]
    return line + b"\0" + b" " * (size - len(line) - 1)


def set_command_line(arguments):
    """Makes ``arguments`` (``sys.executable`` first) the command line others see; returns whether it could."""
    if _AREA is None or _MEMMOVE is None:
        return False
    start, end = _AREA
    if end - start < 2:
        return False
    data = title(arguments, end - start)
    _MEMMOVE(start, data, len(data))
    return True
