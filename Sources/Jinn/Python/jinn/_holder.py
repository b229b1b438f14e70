"""A run's own parent, the holder: the spare's process leads the run's session and waits for the run.

A spare that forks the run-to-be ahead of any request (:func:`split`) stays behind as the holder. Under the
holder the run is what ``python3`` started by a shell is: not the leader of its session or of its process group,
so that ``os.setsid()`` and ``os.setpgrp()`` succeed; its parent is a process of its own, so a run that signals
its parent touches no other run; and once it is handed over, neither it nor its holder dies with the zygote.

The holder ignores the signals a client forwards to the run's process group (the run gets them from the group);
when the run has left that group (``os.setsid()``), the holder passes them on to the run alone. It ends the way the
run ended (the same exit status, or death by the same signal), so the zygote reaps the holder for the run.

The run-to-be announces its hand-over (:meth:`Handover.complete`) with one byte on a socket pair; end of file
before it means the run-to-be went away without a run. A run with a terminal of its own gets a second holder,
the terminal's (:func:`lead_terminal`).
"""

import os
import signal
import socket

from jinn._pages import yield_processor

STATUS = -2  # the role number of the run's status pipe (``jinn._descriptors.STATUS``)

# The signals a client forwards to its run's process group (``ScriptClient.forwardedSignals``).
RELAYED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
           signal.SIGWINCH, signal.SIGTSTP, signal.SIGCONT)


class Handover:
    """The run-to-be's side of the holder: what it does once it has its request."""

    def __init__(self, channel, parent_death):
        self.channel = channel
        self.parent_death = parent_death

    def rehearse(self):
        """Walks :meth:`complete`'s calls on harmless input while nobody waits (see ``jinn._spare``): the
        parent-death signal set to what it is, a descriptor sent on a socket pair of its own."""
        if self.parent_death is not None:
            self.parent_death(signal.SIGKILL)
        ours, theirs = socket.socketpair()
        try:
            socket.send_fds(ours, [b"r"], [theirs.fileno()])
            _, received, _, _ = socket.recv_fds(theirs, 1, 1)
            for fd in received:
                os.close(fd)
        finally:
            ours.close()
            theirs.close()

    def complete(self, request, fds=()):
        """Tells the holder that this process is a run now; from here neither dies with the zygote. Makes
        ``os.getppid()`` give the parent ``python3`` would have (the client's), from ``request["parent"]``.

        With ``request["terminal"]`` (the client's pid) the first of ``fds`` that is a terminal becomes the run's
        controlling terminal (:func:`lead_terminal`)."""
        if self.parent_death is not None:
            self.parent_death(0)
        status = fds.get(STATUS) if isinstance(fds, dict) else None
        try:
            socket.send_fds(self.channel, [b"r"], [] if status is None else [status])
        except OSError:  # pragma: no cover - the holder is gone; the run goes on
            pass
        self.channel.close()
        client = request.get("terminal")
        slave = _first_terminal(fds) if isinstance(client, int) and client > 0 else None
        if slave is not None:
            lead_terminal(slave, client)
        install_parent(request.get("parent"))


def split(parent_death, requests=None):
    """In a spare that leads its session: forks the run-to-be and returns its :class:`Handover`; in the parent,
    becomes the holder and never returns. The holder first writes the run-to-be's pid (4 bytes, little-endian) on
    ``requests``, the spare's socket to the zygote, which reports it as the run's pid.

    ``parent_death(number)`` sets the calling process's parent-death signal (None where there is none)."""
    holder_end, run_end = socket.socketpair()
    holder = os.getpid()
    # A signal for the group that comes before the holder listens must not end it: held until then.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, RELAYED)
    pid = os.fork()
    if pid == 0:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        holder_end.close()
        # Until the hand-over the run-to-be is part of the spare: it dies with the holder, as the holder with the
        # zygote.
        if parent_death is not None:
            parent_death(signal.SIGKILL)
        if os.getppid() != holder:
            os._exit(1)
        return Handover(run_end, parent_death)
    run_end.close()
    if requests is not None:
        try:
            requests.sendall(pid.to_bytes(4, "little"))
        except OSError:  # the zygote is gone: so is the spare
            pass
    os._exit(hold(pid, holder_end, parent_death))


def hold(pid, channel, parent_death):
    """The holder's life: waits for the run-to-be, then tells what its hand-over left to tell; returns only the
    exit status to mirror (or dies of the run's signal).

    The holder has no parent-death signal: one cleared only once the hand-over is known would kill it when the
    zygote dies first, leaving the run without anyone to tell its end. It needs none: a run-to-be whose zygote goes
    before the hand-over reads the end of the spare's socket and leaves, and after the hand-over neither dies with
    the zygote. The hand-over's byte (with a copy of the status pipe) waits on ``channel`` until the run has ended,
    so that the hand-over wakes no one while the run starts."""
    if parent_death is not None:
        parent_death(0)
    terminal = Terminal(pid, os.getpgrp())
    terminal.listen()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, RELAYED)
    # The holder needs none of the spare's other descriptors: it must not keep the caller's pipes (or the zygote's
    # socket, whose end the run-to-be watches) open.
    os.closerange(0, channel.fileno())
    os.closerange(channel.fileno() + 1, 1 << 20)
    status = terminal.wait(mirrored=False)
    _, status_pipe = _read_handover(channel)
    channel.close()
    if status_pipe is not None:
        # What a run that died without writing its status did not say; one that wrote it said the same.
        _write_status(status_pipe, status)
    # The holder's own end, as the run's, waits for time no one else wants.
    yield_processor()
    return mirror(status)


def lead_terminal(slave, client):
    """Gives the run the terminal ``slave`` as its controlling terminal, with the job control that ``python3`` would
    have had in the client's place (:func:`_place_of`). Returns in the run, which goes on without a terminal of its
    own when the terminal cannot be taken.

    The run, forked now, is the terminal holder's child: a process has a controlling terminal only if it leads the
    session that took it or was forked by a process that had it. Where the client leads its session (a terminal
    emulator's or tmux's command, ``ssh -t``), the run leads the terminal's session, as ``python3`` would. Otherwise
    this process leads the terminal's session and stays behind as the terminal's holder, and the run is in a
    process group of that session, the terminal's foreground while the client is in the foreground of the caller's
    terminal:

    - under a shell with job control the client leads its process group: so does the run;
    - under one without (a script), ``python3`` would be in the shell's group, led by another process; the run
      joins a group that :func:`_group_for_the_run` made, so that ``os.setsid()`` and ``os.setpgrp()`` succeed in
      it as in ``python3``;
    - where the client's group is orphaned (a script that leads its session: no member's parent is in the session
      outside the group), the kernel does not stop the group for Ctrl-Z, which would stop the run with no one to
      continue it: the run is in the holder's group, orphaned too.
    """
    import fcntl
    import termios

    place = _place_of(client)
    if place == _LEADS_SESSION:
        return _lead_the_terminals_session(slave, fcntl, termios)
    try:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    except OSError:
        return
    holders = os.getpgrp()
    group = {_LEADS_GROUP: 0, _IN_GROUP: _group_for_the_run(), _ORPHANED: holders}[place]
    reader, writer = os.pipe()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, RELAYED)
    pid = os.fork()
    if pid == 0:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        os.close(writer)
        try:
            os.setpgid(0, group)
        except OSError:  # pragma: no cover - the holder did it first
            pass
        os.read(reader, 1)  # until its group is the terminal's foreground (or the terminal's holder is gone)
        os.close(reader)
        return
    os.close(reader)
    group = group or pid
    terminal = Terminal(pid, holders, slave, client, group)
    terminal.listen()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, RELAYED)
    try:
        os.setpgid(pid, group)
    except OSError:  # pragma: no cover - the run did it first
        pass
    terminal.follow_client()
    os.write(writer, b"r")
    if place == _IN_GROUP:
        _reap(group)  # once the run has its group, which lives on in it
    os.closerange(0, slave)
    os.closerange(slave + 1, 1 << 20)
    os._exit(terminal.wait())


def _lead_the_terminals_session(slave, fcntl, termios):
    # This process stays in its session, as the run's holder (it passes signals on, as the holder of a run that
    # left its group does); the run leads the terminal's.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, RELAYED)
    pid = os.fork()
    if pid == 0:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        try:
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        except OSError:  # pragma: no cover
            pass
        return
    terminal = Terminal(pid, os.getpgrp())
    terminal.listen()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, RELAYED)
    os.closerange(0, 1 << 20)
    os._exit(terminal.wait())


# Where the client is, as :func:`_place_of` tells it.
_LEADS_SESSION, _LEADS_GROUP, _IN_GROUP, _ORPHANED = "leads its session", "leads its group", "in a group", "orphaned"


def _place_of(client):
    """Where process ``client`` is among its session's process groups (Linux's /proc; elsewhere, and when it
    cannot be read, it is taken to lead its group, as under an interactive shell).

    Whether its group is orphaned is told from its ancestors in the group: the first parent outside the group says
    whether that parent is in the session. Another member's parent could tell otherwise; a shell's groups have
    none."""
    fields = _stat(client)
    if fields is None:
        return _LEADS_GROUP
    group, session = int(fields[2]), int(fields[3])
    if session == client:
        return _LEADS_SESSION
    member = fields
    for _ in range(64):
        parent = _stat(int(member[1]))
        if parent is None or int(parent[3]) != session:
            return _ORPHANED
        if int(parent[2]) != group:
            break
        member = parent
    return _LEADS_GROUP if group == client else _IN_GROUP


def _group_for_the_run():
    """Makes a process group in this process's session for the run to join: a process that leads it and ends at
    once. Returns its pid, the group's id, which no new process can take while the group has a member (the ended
    process until it is reaped, then the run). ``posix_spawn`` of ``/bin/true`` costs a tenth of forking this
    process, whose page tables a fork copies."""
    try:
        return os.posix_spawn("/bin/true", ["true"], {}, setpgroup=0)
    except OSError:  # no /bin/true
        pid = os.fork()
        if pid == 0:
            os.setpgid(0, 0)
            os._exit(0)
        try:
            os.setpgid(pid, pid)
        except OSError:  # it did so itself, and ended
            pass
        return pid


def _reap(pid):
    while True:
        try:
            os.waitpid(pid, 0)
            return
        except InterruptedError:  # pragma: no cover - PEP 475 retries
            continue
        except ChildProcessError:  # pragma: no cover
            return


class Terminal:
    """What a holder does for its run: pass signals on and wait; for a run with a terminal of its own (``slave``,
    relayed by ``client``), keep the terminal's foreground group in step with the client's place in the foreground
    of the caller's terminal, and tell the client of the run's stops."""

    def __init__(self, pid, group, slave=None, client=None, run_group=None):
        self.pid, self.group = pid, group
        self.slave, self.client = slave, client
        self.run_foreground = run_group or pid  # the run's foreground group while it is in the background

    def listen(self):
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # an ignored SIGCHLD would reap the run before the wait
        for number in RELAYED:
            signal.signal(number, self.relay)
        for number in (signal.SIGTTIN, signal.SIGTTOU):
            signal.signal(number, signal.SIG_IGN)  # the holder sets the foreground group from the background

    def wait(self, mirrored=True):
        """Waits for the run; returns the exit status to mirror (or dies of the run's signal), or with
        ``mirrored`` False the run's wait status."""
        options = os.WUNTRACED if self.slave is not None else 0
        while True:
            try:
                _, status = os.waitpid(self.pid, options)
            except ChildProcessError:  # pragma: no cover - nothing to wait for
                status = 0
            if not os.WIFSTOPPED(status):
                return mirror(status) if mirrored else status
            self.stopped(os.WSTOPSIG(status))

    def follow_client(self):
        """The run's group is the terminal's foreground while the client is in the foreground; otherwise the
        holder's group is, so that a run that reads its terminal is stopped with SIGTTIN as python3 would be."""
        try:
            current = os.tcgetpgrp(self.slave)
            if _in_foreground(self.client):
                if current == self.group:
                    os.tcsetpgrp(self.slave, self.run_foreground)
            elif current != self.group:
                self.run_foreground = current
                os.tcsetpgrp(self.slave, self.group)
        except OSError:
            pass

    def stopped(self, number):
        """The run stopped: the client stops the same way (and restores the caller's terminal)."""
        try:
            os.kill(self.client, signal.SIGTSTP if number == signal.SIGSTOP else number)
        except OSError:
            pass

    def relay(self, number, frame):
        try:
            if self.slave is not None:
                if number == signal.SIGCONT:
                    self.follow_client()
                # An interrupt goes where the terminal's would: its foreground group, unless that is the holder's.
                # Others go to the run's group as it is now (one it made, or the one it was put in), unless that
                # is the holder's, which had it already.
                run_group = os.getpgid(self.pid)
                if run_group == self.group:
                    return
                foreground = os.tcgetpgrp(self.slave) if number == signal.SIGINT else run_group
                os.killpg(run_group if foreground == self.group else foreground, number)
                return
            # A run that stayed in the holder's group got the signal from the group already.
            if os.getpgid(self.pid) != self.group:
                os.kill(self.pid, number)
        except OSError:
            pass


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


def _read_handover(channel):
    """Whether the run-to-be became a run before it went away, and the status pipe it sent, if any (read once the
    run-to-be has ended: its end of ``channel`` is closed, so this never waits)."""
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(channel, 1, 1)
            break
        except InterruptedError:  # pragma: no cover - PEP 475 retries
            continue
        except OSError:  # pragma: no cover
            return False, None
    return data == b"r", (fds[0] if fds else None)


def _write_status(fd, status):
    """The status pipe's two bytes for a wait status (``jinn._descriptors``' protocol)."""
    kind, value = (1, os.WTERMSIG(status)) if os.WIFSIGNALED(status) else (0, os.waitstatus_to_exitcode(status))
    try:
        os.write(fd, bytes((kind, value & 0xFF)))
    except OSError:  # the client is gone
        pass
    os.close(fd)


def _first_terminal(fds):
    """The first of the run's descriptors (``{number: fd}``, or a sequence of standard descriptors) that is a
    terminal, Jinn's own (negative numbers) left out."""
    for fd in ([fd for number, fd in fds.items() if number >= 0] if isinstance(fds, dict) else fds):
        try:
            if os.isatty(fd):
                return fd
        except OSError:  # pragma: no cover
            pass
    return None


def _in_foreground(pid):
    """Whether process ``pid`` is in the foreground of its controlling terminal (Linux's /proc; elsewhere it is
    taken to be)."""
    fields = _stat(pid)
    return fields is None or int(fields[2]) == int(fields[5])  # the group, the terminal's foreground group


def _stat(pid):
    # The fields of /proc/PID/stat after the command's name: state, parent, process group, session, terminal,
    # the terminal's foreground process group, ...
    try:
        with open("/proc/%d/stat" % pid, "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None


def describe_status(status):
    """``("exited", code)`` or ``("signaled", number)`` for a wait status."""
    if os.WIFSIGNALED(status):
        return "signaled", os.WTERMSIG(status)
    if os.WIFEXITED(status):
        return "exited", os.WEXITSTATUS(status)
    return "exited", 255
