"""A run's descriptors: the caller's, installed at the numbers they had in the caller, and Jinn's own, kept out of
their way.

A run request comes with descriptors and one number for each (``request["fds"]``). A number of zero or more is the
descriptor number the run gets, as an exec'd ``python3`` would have it (standard streams, ``3>&1``, ``<(...)``); a
negative number is a role of Jinn's. Whatever Jinn itself holds in the run is close-on-exec and sits above every
number the caller gave (and above 2), so that no descriptor a script opens, inherits or passes on is Jinn's, and a
standard descriptor the caller had closed is closed in the run.
"""

import fcntl
import os
import signal

CLAIM, STATUS, WORKING_DIRECTORY = -1, -2, -3
# Where Jinn's own descriptors go in a run: far above the numbers a script opens or probes (it gets the lowest free
# ones), within the descriptor limit, and above every number the caller passed.
_HIGH = max(3, min(256, os.sysconf("SC_OPEN_MAX") - 16))


def install(fds, report_fd):
    """Installs ``fds`` (``{number: descriptor}``) in this process: each descriptor for a number of zero or more
    becomes that number (inheritable), and a standard descriptor that is not among them is closed.

    Returns ``(roles, report_fd)``: ``roles`` maps each negative number to its descriptor, and ``report_fd`` is the
    zygote's socket, both moved above the caller's numbers where they were in the way, and close-on-exec.
    """
    numbers = [number for number in fds if number >= 0]
    floor = max(numbers + [_HIGH - 1]) + 1
    taken = set(numbers)
    roles = {}
    for number, fd in fds.items():
        if number < 0:
            roles[number] = _jinns(fd, floor, taken)
        elif fd in taken and fd != number:
            fds[number] = _moved(fd, floor, taken)
    report_fd = _jinns(report_fd, floor, taken)
    for number in numbers:
        fd = fds[number]
        if fd == number:
            os.set_inheritable(fd, True)
        else:
            os.dup2(fd, number)
            os.close(fd)
    for number in (0, 1, 2):
        if number not in taken:
            try:
                os.close(number)
            except OSError:
                pass
    return roles, report_fd


def write_status(roles, interrupted, status):
    """Tells the client how the run ends, on the status pipe if it has one: ``(1, SIGINT)`` after an uncaught
    KeyboardInterrupt, else ``(0, status)``. Written just before the run leaves, after it closed everything else."""
    fd = roles.get(STATUS)
    if fd is None:
        return
    try:
        os.write(fd, bytes((1, signal.SIGINT) if interrupted else (0, status & 0xFF)))
    except OSError:  # the client is gone
        pass


def close_all_but(report_fd, roles):
    """Closes every descriptor of this process but the zygote's socket and the status pipe."""
    keep = {report_fd}
    if STATUS in roles:
        keep.add(roles[STATUS])
    start = 0
    for fd in sorted(keep):
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, 1 << 20)


def _jinns(fd, floor, taken):
    """``fd``, one of Jinn's own: above ``floor`` (or at least at no number in ``taken``) and close-on-exec."""
    if fd < floor:
        return _moved(fd, floor, taken)
    os.set_inheritable(fd, False)
    return fd


def _moved(fd, floor, taken=()):
    try:
        moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, floor)
    except OSError:
        # Nothing free up there (the caller passed numbers near the descriptor limit): the lowest free number
        # above 2 that the caller did not ask for.
        low, moved = 3, None
        while moved is None or moved in taken:
            if moved is not None:
                os.close(moved)
            moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, low)
            low = moved + 1
    os.close(fd)
    return moved
