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
import resource
import signal

CLAIM, STATUS, WORKING_DIRECTORY = -1, -2, -3
# Where Jinn's own descriptors go in a run when they cannot go above the caller's descriptor limit: far above the
# numbers a script opens or probes (it gets the lowest free ones), and above every number the caller passed.
_HIGH = 256
_OWN = 3  # the report socket, the status pipe and the working directory
_HIGHEST_LIMIT = 4096


def install(fds, report_fd, limit=None):
    """Installs ``fds`` (``{number: descriptor}``) in this process: each descriptor for a number of zero or more
    becomes that number (inheritable), and a standard descriptor that is not among them is closed.

    ``limit`` is the caller's soft descriptor limit, which the run takes on later: Jinn's own descriptors go at it
    or above, where they take none of the numbers the script may open, when it is at most 4096 and this process's
    hard limit leaves room; from 256 up otherwise.
    Returns ``(roles, report_fd)``: ``roles`` maps each negative number to its descriptor, and ``report_fd`` is the
    zygote's socket, both moved above the caller's numbers where they were in the way, and close-on-exec.
    """
    numbers = [number for number in fds if number >= 0]
    hard = _room(max(numbers + [_HIGH, limit or 0]) + _OWN)
    # Above a limit of thousands, 256 is as good and keeps the descriptor table (copied by every fork) small.
    preferred = limit if limit is not None and limit <= _HIGHEST_LIMIT and limit + _OWN <= hard else _HIGH
    floor = max(numbers + [preferred - 1]) + 1
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


def _room(top):
    """Lets this process open descriptors up to ``top`` where its hard limit allows (the caller's limits come
    later); returns the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < top and soft != hard:
        wanted = hard if hard == resource.RLIM_INFINITY or hard <= top * 2 else top * 2
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (OSError, ValueError):
            pass
    return (1 << 30) if hard == resource.RLIM_INFINITY else hard


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
