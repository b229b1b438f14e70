"""The zygote: a warm interpreter that forks one child per script run. This module is its loop.

The daemon starts this module through the Jinn bootstrap with the channel socket on descriptor 3 and the reader
thread of the channel left off, so the zygote stays single-threaded: a forked child inherits only the forking
thread, and a lock held by any other thread would stay locked forever in the child.

The zygote imports the modules the configuration preloads, freezes the garbage collector's generations so that
copy-on-write pages stay shared, and keeps spare children forked ahead of time, parked on socket pairs
(``jinn._spare``), which read a request as a 4-byte length and its marshal bytes. A run request from the daemon carries the caller's descriptors (SCM_RIGHTS); the zygote hands request and descriptors to a spare, which becomes the run
(``jinn._child``), reports the spare's pid, and reports the run's exit status or signal when the run announces it
or once it has reaped it.

Forking a zygote that holds numpy and scipy takes about a millisecond of CPU, and on a small machine that
millisecond is taken from the run, its client and the daemon whenever they overlap. So the zygote keeps three
spares and forks replacements once it has been quiet for a moment (``REPLENISH_AFTER``, or ``IDLE_AFTER`` while
it has two or more); only when the last spare is taken does it fork at once, so back-to-back runs never wait for a
fork either. Three, because a script run twice in a row (as a shell loop or a test suite runs it) would otherwise
meet its zygote's replacement fork on either its second or its third run.

A few runs report the pages they wrote (``jinn._pages``) after their status, and the spares write those pages
ahead, so that a run does not pay a page fault for each of them; ``jinn._page_lessons`` keeps that account.

The word of a run's start waits (``ANNOUNCE_AFTER``): a run that ends sooner has its start told with its end, so
that the daemon, which the word would wake, does not take the processor from the run while it runs. A run with a
terminal is told at once: its client relays the terminal from its start on.

Messages (``marshal`` tuples in length-prefixed frames, the first element names the kind, ``jinn._protocol``):

* daemon to zygote: ``(RUN, run_id, request)`` with the run's descriptors attached, where ``request`` is a dict
  with ``entry`` (``("script", path)``, ``("code", source)`` or ``("module", name)``; strings as bytes), ``argv``,
  ``cwd`` and ``env`` (bytes, ``env`` as ``KEY=VALUE`` items), ``umask`` and ``fds``, one number per descriptor
  (the number the run gets, or a negative role: ``jinn._descriptors``; the caller's three standard streams when
  it is missing).
* zygote to daemon (through ``jinn.send``): ``(ZYGOTE_PRELOADING, module)`` before each preload's import,
  ``(ZYGOTE_READY, facts)``, ``(ZYGOTE_STARTED, run_id, pid, delay)`` (``delay``: the seconds between the hand-over
  and this word),
  ``(ZYGOTE_EXIT, run_id, "exited" | "signaled", number)``, ``(ZYGOTE_IMPORTS, run_id, [module, ...])`` (the
  libraries a run imported, after its exit) and ``(ZYGOTE_FAILED, run_id, message)``.
"""

import gc
import marshal
import os
import select
import signal
import socket
import sys
import time

import jinn
from jinn import _cmdline, _environment, _errors, _finalization, _importer, _modules, _pages
from jinn._page_lessons import PageLessons
from jinn._protocol import (RUN, ZYGOTE_EXIT, ZYGOTE_FAILED, ZYGOTE_IMPORTS, ZYGOTE_PRELOADING, ZYGOTE_READY,
                            ZYGOTE_STARTED)
from jinn._watched_import import TIME_LIMIT, import_watched
from jinn._spare import MAX_FDS, STANDARD_NUMBERS, fork as fork_spare, parent_death_setter

CHANNEL_FD = 3
_CHUNK = 1 << 16
# Spares kept forked ahead, and how long the zygote must have been quiet (seconds) before it forks a replacement:
# a moment when it is down to its last spare, longer while it has more (or has lessons to take and spares to
# renew), so that the fork, and the several milliseconds a spare takes to prepare, seldom meet the next run.
SPARES = 3
REPLENISH_AFTER = 0.01
IDLE_AFTER = 0.1
# How long the word of a run's start waits for the run's end (seconds). The daemon passes it on to the client, which
# forwards signals to the run only once it has the run's pid.
ANNOUNCE_AFTER = 0.01
# The most a run's end report holds: two bytes of status, then the libraries it imported (``jinn._ending``), then
# for a run that learns pages, a newline and its page report (``jinn._pages``).
_REPORT_LIMIT = 4096 + 4 + 16 * _pages.MAX_RANGES

# ---------------------------------------------------------------------------------------------------------------
# What the zygote does before it serves: preload, describe itself, freeze.


def preload(names, stderr=None, announce=None, time_limit=TIME_LIMIT):
    """Imports each module, watching what it does (``jinn._watched_import``); returns the names that loaded,
    ``(name, error)`` pairs for those that raised and ``(name, reason)`` pairs for those that loaded but must not
    be preloaded again (they wrote output, started a thread or took too long).

    ``announce(name)`` is called before each import, so that the daemon knows which module a zygote that hangs
    or dies while preloading was importing."""
    loaded, failed, refused = [], [], []
    for name in names:
        if announce is not None:
            announce(name)
        error, refusal = import_watched(name, time_limit)
        if error is not None:
            failed.append((name, error))
            if stderr is not None:
                stderr.write("jinn zygote: cannot preload %s: %s\n" % (name, error))
        else:
            # A refused module is loaded all the same: the daemon decides what its refusal means.
            loaded.append(name)
            if refusal is not None:
                refused.append((name, refusal))
    return loaded, failed, refused


def watched_files(loaded):
    """Files whose change makes this zygote stale: the interpreter, the site-packages directories (installs and
    removals change them) and the files of the preloaded modules. Each item is ``(path, mtime_ns, size, inode)``."""
    import site

    paths = [sys.executable]
    try:
        paths += site.getsitepackages()
    except AttributeError:  # pragma: no cover - virtualenv's old site.py
        pass
    user_site = getattr(site, "USER_SITE", None)
    if user_site:
        paths.append(user_site)
    for name in loaded:
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        if path:
            paths.append(path)
    result = []
    for path in dict.fromkeys(paths):
        try:
            info = os.stat(path)
            result.append((path, info.st_mtime_ns, info.st_size, info.st_ino))
        except OSError:
            result.append((path, 0, -1, 0))
    return result


def describe_status(status):
    """``("exited", code)`` or ``("signaled", number)`` for a wait status."""
    if os.WIFSIGNALED(status):
        return "signaled", os.WTERMSIG(status)
    if os.WIFEXITED(status):
        return "exited", os.WEXITSTATUS(status)
    return "exited", 255


# ---------------------------------------------------------------------------------------------------------------
# The zygote's loop.


class Zygote:
    def __init__(self, channel_fd=CHANNEL_FD):
        self.channel = socket.socket(fileno=channel_fd)
        self.channel.setblocking(True)
        self.buffer = b""
        self.fds = []
        self.runs = {}  # pid -> (run id, the run's report socket or None, whether its end was reported)
        self.reports = {}  # report socket fd -> pid
        self.spares = []  # (pid, socket), oldest first
        self.lessons = PageLessons()  # the pages runs write, which the spares write ahead
        self.last_event = 0.0  # when the zygote last handed out a spare or heard of a run's end
        self.unannounced = {}  # spare pid -> (when it was handed out, its ZYGOTE_STARTED word)
        self.wakeup_read, self.wakeup_write = os.pipe()
        os.set_blocking(self.wakeup_write, False)
        os.set_blocking(self.wakeup_read, False)
        self.prctl = parent_death_setter()
        self.pid = os.getpid()
        self.startup_modules = frozenset(sys.modules)
        self.bootstrap_modules = []  # the bootstrap's modules, which a run must not see (set when it is ready)
        self.namespace = globals()  # what this code runs in: the zygote's __main__ when the daemon starts it
        self.poller = None

    def send(self, message):
        jinn.send(message)

    def serve(self):
        signal.signal(signal.SIGCHLD, lambda number, frame: None)
        signal.set_wakeup_fd(self.wakeup_write)
        # SIGINT and SIGTERM must not interrupt the loop with an exception; the daemon ends the zygote by closing
        # the channel. Children get the defaults back before they run anything.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        while len(self.spares) < SPARES:
            self.add_spare()
        self.poller = poller = select.poll()
        poller.register(self.channel.fileno(), select.POLLIN)
        poller.register(self.wakeup_read, select.POLLIN)
        while True:
            try:
                events = poller.poll(self.poll_timeout())
            except InterruptedError:  # pragma: no cover - PEP 475 retries
                continue
            self.announce_due()
            if not events:
                if self.replenish_timeout() != 0:
                    continue  # woken for a start's word alone
                if len(self.spares) < SPARES:
                    self.add_spare()
                elif self.lessons.untaken:
                    self.lessons.take(self.spares)
                else:
                    self.renew_spare()
                continue
            for fd, _ in events:
                if fd == self.wakeup_read:
                    self.drain_wakeup()
                    self.reap()
                elif fd in self.reports:
                    self.read_report(fd)
                elif fd == self.channel.fileno():
                    if not self.read_channel():
                        self.shutdown()
                        return
                # Any other descriptor was a run's report socket, already closed by an earlier event.

    def poll_timeout(self):
        """Milliseconds until the next thing due: a start's word, a spare, a lesson (None: none is)."""
        timeout = self.replenish_timeout()
        if self.unannounced:
            first = min(handed for handed, _ in self.unannounced.values())
            due = max(0, (first + ANNOUNCE_AFTER - time.monotonic()) * 1000)
            timeout = due if timeout is None else min(timeout, due)
        return timeout

    def announce_due(self):
        now = time.monotonic()
        for pid in [pid for pid, (handed, _) in self.unannounced.items() if now - handed >= ANNOUNCE_AFTER]:
            self.announce(pid)

    def announce(self, pid):
        """Tells the daemon of the start of the run of spare ``pid`` if it has not been told yet."""
        pending = self.unannounced.pop(pid, None)
        if pending is not None:
            handed, (kind, run_id, run) = pending
            self.send((kind, run_id, run, max(0.0, time.monotonic() - handed)))

    def replenish_timeout(self):
        """Milliseconds until a missing spare, or the pages runs reported, are due (None: wait for events only)."""
        if len(self.spares) >= SPARES and not self.lessons.pending:
            return None
        quiet = REPLENISH_AFTER if len(self.spares) < 2 else IDLE_AFTER
        return max(0, (self.last_event + quiet - time.monotonic()) * 1000)

    def drain_wakeup(self):
        try:
            while os.read(self.wakeup_read, 4096):
                pass
        except BlockingIOError:
            pass

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            run = self.runs.get(pid)
            if run is not None:
                # The holder ends right after its run: the run's report may be waiting, unread (the page report
                # of a run that learns may come in a second piece).
                for _ in range(2):
                    if self.runs[pid][1] is not None:
                        self.read_report(self.runs[pid][1].fileno())
                self.lessons.gone(pid)
                run_id, report, reported = self.runs.pop(pid)
                if report is not None:
                    self.forget_report(report)
                self.announce(pid)
                if not reported:
                    kind, number = describe_status(status)
                    self.send((ZYGOTE_EXIT, run_id, kind, number))
            else:
                # A spare died before it was used (killed from outside): the poll's timeout replaces it.
                self.lessons.gone(pid)
                for spare in [spare for spare in self.spares if spare[0] == pid]:
                    spare[1].close()
                    self.spares.remove(spare)

    def read_report(self, fd):
        """A run announces how it ends just before it leaves, so that its client need not wait for the kernel to
        tear down the address space it shared with the zygote (milliseconds for a large zygote). The same write
        names the top-level libraries it imported, separated by spaces, for the daemon's adaptive preloads. A run
        that learns pages ends that write with a newline and sends its page report after its status
        (``jinn._page_lessons``)."""
        pid = self.reports[fd]
        run_id, report, reported = self.runs[pid]
        try:
            data = report.recv(_REPORT_LIMIT)
        except BlockingIOError:  # a stale event for a descriptor number now used by another run's socket
            return
        except OSError:
            data = b""
        ended = not data  # the end of the socket: the run (and whatever it forked) is gone
        self.announce(pid)
        if not reported and len(data) >= 2:
            self.send((ZYGOTE_EXIT, run_id, "signaled" if data[0] else "exited", data[1]))
            reported = True
            names, newline, data = data[2:].partition(b"\n")
            imports = [name for name in names.decode("ascii", "replace").split() if name.isidentifier()]
            if imports:
                # After the end, so that the run's client never waits for it; the daemon learns preloads from it.
                self.send((ZYGOTE_IMPORTS, run_id, imports))
            self.lessons.status_reported(pid, newline)
        if not self.lessons.receive(pid, data, ended):
            self.runs[pid] = (run_id, report, reported)
            return  # the rest of the page report is still to come
        self.runs[pid] = (run_id, None, reported)
        self.forget_report(report)
        self.last_event = time.monotonic()

    def add_spare(self, write_ahead=True):
        """Forks a spare, which writes ahead what runs have taught so far unless it is needed at once (writing
        ahead takes about as long as the faults it saves); one that does not is renewed once the zygote is quiet."""
        self.lessons.take(self.spares)
        self.lessons.writes_ahead = write_ahead
        self.spares.append(fork_spare(self))

    def renew_spare(self):
        """Replaces the oldest spare that does not write the latest lesson, one per quiet moment, so that a
        zygote's spares come to write it even when runs are rare (a spare may wait for minutes)."""
        spare = self.lessons.stale_spare(self.spares)
        if spare is not None:
            self.spares.remove(spare)
            spare[1].close()  # the spare sees end of file and exits; the zygote reaps it
            self.add_spare()

    def forget_report(self, report):
        fd = report.fileno()
        if fd in self.reports:
            del self.reports[fd]
            self.poller.unregister(fd)
        report.close()

    def read_channel(self):
        """Reads what is available; handles complete frames. Returns False at the end of the stream."""
        try:
            data, fds, _, _ = socket.recv_fds(self.channel, _CHUNK, MAX_FDS * 16)
        except InterruptedError:  # pragma: no cover
            return True
        if not data:
            for fd in fds:
                os.close(fd)
            return False
        self.fds.extend(fds)
        self.buffer += data
        while len(self.buffer) >= 4:
            size = int.from_bytes(self.buffer[:4], "little")
            if len(self.buffer) < 4 + size:
                break
            payload = self.buffer[4:4 + size]
            self.buffer = self.buffer[4 + size:]
            self.handle(marshal.loads(payload))
        return True

    def handle(self, message):
        kind = message[0]
        if kind == RUN:
            _, run_id, request = message
            count = len(request.get("fds", STANDARD_NUMBERS))
            fds, self.fds = self.fds[:count], self.fds[count:]
            self.start_run(run_id, request, fds)
        else:
            sys.stderr.write("jinn zygote: unknown message %r\n" % (kind,))

    def start_run(self, run_id, request, fds):
        if len(fds) != len(request.get("fds", STANDARD_NUMBERS)) or len(fds) > MAX_FDS:
            for fd in fds:
                os.close(fd)
            self.send((ZYGOTE_FAILED, run_id, "the run request came without its descriptors"))
            return
        if not self.spares:
            self.add_spare(write_ahead=False)
        pid, spare = self.spares.pop(0)
        self.last_event = time.monotonic()
        # The spare stays behind as the run's holder; the run is the process it forked, which it named long before
        # (read now, so that nothing stands between the hand-over and the word of the run's start).
        run = run_pid(spare, pid)
        self.lessons.handed_out(pid)
        try:
            payload = marshal.dumps(request)
            socket.send_fds(spare, [len(payload).to_bytes(4, "little") + payload], fds)
        except OSError as error:
            self.send((ZYGOTE_FAILED, run_id, "the forked child is gone: %s" % error))
            self.lessons.gone(pid)
            spare.close()
            for fd in fds:
                os.close(fd)
            return
        started = (ZYGOTE_STARTED, run_id, run)
        if request.get("terminal") is None:
            self.unannounced[pid] = (time.monotonic(), started)
        else:
            self.send(started + (0.0,))
        self.runs[pid] = (run_id, spare, False)
        # The spare's socket stays open: the run reports its end on it.
        spare.setblocking(False)
        self.reports[spare.fileno()] = pid
        self.poller.register(spare.fileno(), select.POLLIN)
        for fd in fds:
            os.close(fd)
        if not self.spares:
            # Runs are arriving back to back: the next one must not wait for a fork.
            self.add_spare(write_ahead=False)

    def shutdown(self):
        for pid in list(self.unannounced):
            self.announce(pid)
        for _, spare in self.spares:
            spare.close()  # the spare sees end of file and exits
        self.spares = []


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


def main():
    values = jinn.values

    def announce(name):
        jinn.send((ZYGOTE_PRELOADING, name))

    time_limit = values.get("preload_time_limit", TIME_LIMIT)
    before_preload = frozenset(sys.modules)
    loaded, failed, refused = preload(values.get("preload", []), sys.stderr, announce, time_limit)
    # What runs see: the configured preloads and all they imported. Each learned one's import closure is hidden
    # until a run imports one of its modules (jinn._modules).
    preloaded = set(loaded).union(name for name in sys.modules if name not in before_preload)
    learned_groups, learned_requests = [], []
    for name in values.get("learned_preload", []):
        before = frozenset(sys.modules)
        with _modules.recording_imports() as requested:
            outcome = preload([name], sys.stderr, announce, time_limit)
        for results, more in zip((loaded, failed, refused), outcome):
            results.extend(more)
        learned_groups.append([module for module in sys.modules if module not in before])
        learned_requests.append(requested)
    zygote = Zygote()
    facts = {
        "pid": os.getpid(),
        "executable": sys.executable,
        "version": "%d.%d.%d" % sys.version_info[:3],
        "preloaded": loaded,
        "failed": failed,
        "refused": refused,
        "watch": watched_files(loaded),
    }
    zygote.send((ZYGOTE_READY, facts))
    # What every run inherits (these may import ctypes).
    _environment.prepare()
    _cmdline.prepare()
    # Taken last, when everything the zygote itself imports (jinn.send's helpers too) is loaded.
    zygote.startup_modules = frozenset(sys.modules)
    zygote.bootstrap_modules = [name for name in sys.modules if name == "jinn" or name.startswith("jinn.")]
    _modules.prepare(_importer.INTERPRETER_MODULES, preloaded, zygote.bootstrap_modules, learned_groups,
                     learned_requests)
    _finalization.prepare()
    # The zygote's runs are scripts on disk, whose threads the interpreter's own printer reports as under python3.
    _errors.restore_thread_excepthook()
    gc.collect()
    if hasattr(gc, "freeze"):
        gc.freeze()
    zygote.serve()
    if sys.flags.inspect:
        # Started with -i for its runs: once the zygote's code ends the interpreter would open its interactive loop
        # on /dev/null, and write its prompt into the daemon's log.
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
