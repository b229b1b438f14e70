"""A run's own parent, the holder: the spare's process leads the run's session and waits for the run.

A spare that forks the run-to-be ahead of any request (:func:`split`) stays behind as the holder. Under the
holder the run is what ``python3`` started by a shell is: not the leader of its session or of its process group,
so that ``os.setsid()`` and ``os.setpgrp()`` succeed; its parent is a process of its own, so a run that signals
its parent touches no other run; and once it is handed over, neither it nor its holder dies with the zygote.

The holder ignores the signals a client forwards to the run's process group (the run gets them from the group);
when the run has left that group (``os.setsid()``), the holder passes them on to the run alone. It ends the way the
run ended (the same exit status, or death by the same signal), so the zygote reaps the holder for the run.

The run learns its hand-over (:meth:`Handover.complete`) with one byte to the holder on a pipe; end of file on
that pipe before it means the run-to-be went away without a run.
"""

import os
import signal

# The signals a client forwards to its run's process group (``ScriptClient.forwardedSignals``), and those that
# would stop the holder with the group.
RELAYED = tuple(getattr(signal, name) for name in (
    "SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGTSTP", "SIGTTIN", "SIGTTOU")
    if hasattr(signal, name))


class Handover:
    """The run-to-be's side of the holder: what it does once it has its request."""

    def __init__(self, holder_pid, pipe, parent_death):
        self.holder_pid = holder_pid
        self.pipe = pipe
        self.parent_death = parent_death

    def complete(self, request):
        """Tells the holder that this process is a run now; from here neither dies with the zygote. Makes
        ``os.getppid()`` give the parent ``python3`` would have (the client's), from ``request["parent"]``."""
        if self.parent_death is not None:
            self.parent_death(0)
        try:
            os.write(self.pipe, b"r")
        except OSError:  # pragma: no cover - the holder is gone; the run goes on
            pass
        os.close(self.pipe)
        install_parent(request.get("parent"))


def split(parent_death):
    """In a spare that leads its session: forks the run-to-be and returns its :class:`Handover`; in the parent,
    becomes the holder and never returns.

    ``parent_death(number)`` sets the calling process's parent-death signal (None where there is none)."""
    reader, writer = os.pipe()
    holder = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        # Until the hand-over the run-to-be is part of the spare: it dies with the holder, as the holder with the
        # zygote.
        if parent_death is not None:
            parent_death(signal.SIGKILL)
        if os.getppid() != holder:
            os._exit(1)
        return Handover(holder, writer, parent_death)
    os.close(writer)
    os._exit(hold(pid, reader, parent_death))


def hold(pid, pipe, parent_death):
    """The holder's life: waits for the hand-over, then for the run; returns only the exit status to mirror (or
    dies of the run's signal)."""
    group = os.getpgrp()
    for number in RELAYED:
        signal.signal(number, _relay(pid, group))
    # The holder needs none of the spare's descriptors: it must not keep the caller's pipes or the zygote's socket
    # open after the run ends.
    os.closerange(0, pipe)
    os.closerange(pipe + 1, 1 << 20)
    handed_over = _read_handover(pipe)
    os.close(pipe)
    if handed_over and parent_death is not None:
        parent_death(0)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except ChildProcessError:  # pragma: no cover - nothing to wait for
            return 0
    return mirror(status)


def mirror(status):
    """Ends the calling process the way a wait status says another ended: dies of its signal (without a core
    file, which the run already wrote if it was to), or returns its exit status."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
        except (ImportError, ValueError, OSError):  # pragma: no cover
            pass
        if number != signal.SIGKILL:
            signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [number])
        os.kill(os.getpid(), number)
        return 128 + number  # pragma: no cover - a signal that does not end a process (none are mirrored)
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    return 255  # pragma: no cover


def install_parent(parent):
    """Makes ``os.getppid()`` in this process (not in the processes it forks) return ``parent``."""
    if not isinstance(parent, int) or parent <= 0:
        return
    real, me = os.getppid, os.getpid()

    def getppid():
        """Return the parent's process id."""
        return parent if os.getpid() == me else real()

    getppid.__name__ = getppid.__qualname__ = "getppid"
    os.getppid = getppid


def _read_handover(pipe):
    while True:
        try:
            return os.read(pipe, 1) == b"r"
        except InterruptedError:  # pragma: no cover - PEP 475 retries
            continue


def _relay(pid, group):
    def relay(number, frame):
        # A run that stayed in the holder's group got the signal from the group already.
        try:
            if os.getpgid(pid) != group:
                os.kill(pid, number)
        except OSError:
            pass

    return relay
