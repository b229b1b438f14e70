"""The zygote's spares: children forked ahead of the runs, each parked on a socket until a run request comes.

A spare leaves the zygote behind as soon as it is forked (a session of its own, death with the zygote, none of
the zygote's descriptors or signal handlers) and forks the run-to-be, staying behind as its holder
(``jinn._holder``). The run-to-be leaves every frame of the zygote's at once (``jinn._bottom``), and from the
bottom of the stack prepares what does not depend on the run while it waits (:func:`prepare_spare`) and writes
ahead the pages runs write (``jinn._pages``). Given a request, it becomes the run (``jinn._child``), whose program
runs from there.
"""

import gc
import marshal
import os
import signal
import socket
import sys
import time

from functools import partial

from jinn import _descriptors, _modules, _options, _pages, _process_state
from jinn._bottom import unwind
from jinn._child import become_script, environment_from, make_stdio, replace_environment, reset_signals
from jinn._ending import clear_namespace
from jinn._holder import split
from jinn._runner import Entry, run_entry

# The most descriptors a run request carries (the caller's inheritable descriptors and Jinn's roles), and the numbers
# of a request that names none.
MAX_FDS = 64
STANDARD_NUMBERS = (0, 1, 2)
# The most a run's end report holds: two bytes of status, then the libraries it imported (``jinn._ending``), then
# for a run that learns pages, a newline and its page report (``jinn._pages``).
REPORT_LIMIT = 4096 + 4 + 16 * _pages.MAX_RANGES


def fork(zygote, requests=None):
    """Forks a spare of ``zygote``; returns its pid and the zygote's end of its socket pair.

    The spare reads its run request from ``requests``, a socket whose other end the daemon holds (the daemon then
    hands the spare its run without waking the zygote), or without one from the socket pair, through the zygote.
    The zygote's copy of ``requests`` is closed: the daemon's sends to a spare that died must fail."""
    parent_end, child_end = socket.socketpair()
    learns = zygote.lessons.spare_learns()
    pid = os.fork()
    if pid == 0:
        parent_end.close()
        become_spare(zygote, child_end, learns, requests)
    child_end.close()
    if requests is not None:
        requests.close()
    zygote.lessons.forked(pid, learns)
    return pid, parent_end


def become_spare(zygote, channel, learns=False, requests=None):
    """In the forked child: leaves the zygote and forks the run-to-be, which leaves every frame of the zygote's
    (``jinn._bottom``) and from the bottom of the stack prepares, waits for a request on ``requests`` (or on
    ``channel``, its socket to the zygote, without one) and becomes the run; never returns. A run that ``learns``
    reports the pages it wrote (``jinn._pages``)."""
    os.setsid()
    if zygote.prctl is not None:
        zygote.prctl()
    if os.getppid() != zygote.pid:
        os._exit(1)
    reset_signals()
    # The zygote's own descriptors are not the run's, nor are the other spares' sockets.
    for fd in (zygote.wakeup_read, zygote.wakeup_write):
        os.close(fd)
    os.close(zygote.channel.detach())
    for fd in zygote.fds:
        os.close(fd)
    for pid, (_, report, _) in zygote.runs.items():
        if report is not None:
            os.close(report.detach())
    for _, other in zygote.spares + zygote.supply + list(zygote.reclaimed.items()):
        os.close(other.detach())
    handover = split(zygote.prctl, channel)
    # The pages runs write are written ahead first: they include those the unwinding writes, and one call copies
    # them all for less than their faults would cost.
    if zygote.lessons.writes_ahead:
        _pages.write_ahead(zygote.lessons.pages, zygote.lessons.write)
    # Unwound while nobody waits: at the bottom of the stack (jinn._bottom) a rehearsal comes first, then the
    # request is waited for and the run set up by a program that hands the run's own program on.
    unwind(Entry(_rehearsal), partial(_after_rehearsal, zygote, channel, requests, learns, handover))


def _rehearsal():
    """Runs nothing, so that the passage from one program at the bottom of the stack to the next has written its
    pages (page faults, the pages being the zygote's until then) before a run waits for it."""


def _after_rehearsal(zygote, channel, requests, learns, handover, outcome):
    if outcome is not None:
        _failed_before_the_run(outcome)
    run = []
    return (Entry(partial(_wait_and_set_up, zygote, channel, requests, learns, handover, run)),
            partial(_after_set_up, run))


def _wait_and_set_up(zygote, channel, requests, learns, handover, run):
    prepare_spare()
    handover.rehearse()
    received = receive_request(channel if requests is None else requests)
    if received is None:
        os._exit(0)  # the zygote or the daemon went away, or took the spare back, before it sent a request
    if requests is not None:
        # The daemon waits for this byte: without it, the end of the socket means that the spare died without
        # reading, and the run goes to another spare.
        try:
            requests.send(b"r", getattr(socket, "MSG_NOSIGNAL", 0))
        except OSError:  # pragma: no cover - the daemon is gone
            pass
        requests.close()
    request, fds = received
    request["learn_pages"] = learns
    handover.complete(request, fds)
    run.append(become_script(request, fds, channel.detach(), zygote.startup_modules, zygote.bootstrap_modules,
                             zygote.namespace))


def _after_set_up(run, outcome):
    if outcome is not None:
        _failed_before_the_run(outcome)
    return run.pop()  # the run's program, and its end


def _failed_before_the_run(outcome):
    # An interrupt meant for the run came before the run: it ends as python3 would. Anything else is Jinn's fault.
    if isinstance(outcome, KeyboardInterrupt):
        os._exit(128 + signal.SIGINT)
    try:
        sys.__excepthook__(type(outcome), outcome, outcome.__traceback__)
    finally:
        os._exit(1)


def receive_request(requests):
    """Waits for the run request on the socket ``requests``; returns ``(request, fds)``, where ``fds`` maps each
    number of the request's ``fds`` (a descriptor number the run gets, or a negative role of
    ``jinn._descriptors``) to the descriptor that came for it, or None when the sender closed the socket first."""
    try:
        data, received, _, _ = socket.recv_fds(requests, 1 << 22, MAX_FDS)
    except ConnectionResetError:  # the zygote went away with the run's pid unread
        return None
    if not data:
        for fd in received:
            os.close(fd)
        return None
    # The request is framed (a 4-byte length first), so that one arriving in pieces is read in time linear in its
    # size; the descriptors came with its first byte.
    pieces, size = [data], len(data)
    while size < 4 or size < 4 + int.from_bytes(b"".join(pieces)[:4], "little"):
        more = requests.recv(1 << 22)
        if not more:
            return None
        pieces.append(more)
        size += len(more)
    data = b"".join(pieces)
    request = marshal.loads(data[4:4 + int.from_bytes(data[:4], "little")])
    numbers = request.get("fds", STANDARD_NUMBERS)
    if len(numbers) != len(received):
        os._exit(1)  # the zygote checks the count before it sends: a mismatch is a bug, and the run never began
    return request, dict(zip(numbers, received))


def parent_death_setter():
    """A function ``set(number=SIGKILL)`` that makes the calling process receive signal ``number`` when its parent
    dies (Linux; 0 clears it), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (ImportError, OSError, AttributeError):  # pragma: no cover
        return None
    return lambda number=signal.SIGKILL: prctl(1, number)  # PR_SET_PDEATHSIG


def prepare_spare():
    """What a spare does while it waits: the parts of a run's set-up that do not depend on the run, and a
    rehearsal of the rest on harmless input.

    A forked child pays a page fault (microseconds on a virtual machine) for each page it first writes, and the
    reference counts of everything a run's path touches are spread over hundreds of pages shared with the zygote.
    Walking that path once while nobody waits copies those pages ahead of the run.
    """
    _reseed()
    try:
        _rehearse()
    except Exception:  # pragma: no cover - a rehearsal must never cost a run
        pass
    _modules.hide()


def _rehearse_set_up():
    """The caller's state and descriptors taken on, with this process's own: nothing changes, but the code (and
    the pages it writes) are the run's before the run."""
    _process_state.apply(_process_state.own())
    fds = {number: os.dup(number) for number in (0, 1, 2)}
    _, report = _descriptors.install(fds, os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC))
    os.close(report)
    _options.command_line({})
    _options.unbuffered({}, {})


def _rehearse():
    _rehearse_set_up()
    null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
    try:
        for role in (0, 1, 2):
            make_stdio(null, role != 0, "utf-8", "strict", True, role)
    finally:
        os.close(null)
    replace_environment(environment_from([key + b"=" + value for key, value in os.environb.items()]))
    time.tzset()
    # The script path of ``run_entry`` with /dev/null as the script; the interpreter state it sets is put back.
    saved_argv, saved_orig = sys.argv[:], getattr(sys, "orig_argv", None)
    saved_path0 = sys.path[0] if sys.path else None
    saved_main = sys.modules.get("__main__")
    try:
        run_entry("script", os.devnull, [os.devnull], os.getcwd())
        clear_namespace(vars(sys.modules["__main__"]))
    finally:
        sys.argv[:] = saved_argv
        if saved_orig is not None:
            sys.orig_argv = saved_orig
        if saved_path0 is not None:
            sys.path[0] = saved_path0
        if saved_main is not None:
            sys.modules["__main__"] = saved_main
        sys.path_importer_cache.pop(os.devnull, None)
    gc.collect()


def _reseed():
    random = sys.modules.get("random")
    if random is not None:
        random.seed()
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        try:
            numpy_random.seed()
        except Exception:  # pragma: no cover - a numpy without the legacy global generator
            pass


def remains(spare, holder):
    """What an ended spare ``holder`` left on its socket ``spare``: ``(run pid, the bytes after the pid)``."""
    data = b""
    if spare is not None:
        spare.setblocking(False)
        try:
            while True:
                more = spare.recv(REPORT_LIMIT)
                if not more:
                    break
                data += more
        except OSError:  # nothing more (BlockingIOError), or the socket's end
            pass
    if len(data) < 4:
        return holder, b""
    return int.from_bytes(data[:4], "little"), data[4:]


def run_pid(spare, holder):
    """The pid of the run a spare forked (the first 4 bytes on its socket; ``holder`` if the spare went away)."""
    data = b""
    while len(data) < 4:
        try:
            more = spare.recv(4 - len(data))
        except InterruptedError:  # pragma: no cover - PEP 475 retries
            continue
        except OSError:
            more = b""
        if not more:
            return holder
        data += more
    return int.from_bytes(data, "little")
