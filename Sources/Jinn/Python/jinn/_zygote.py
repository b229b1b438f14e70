"""The zygote: a warm interpreter that forks one child per script run. This module is its loop.

The daemon starts this module through the Jinn bootstrap with the channel socket on descriptor 3 and the reader
thread of the channel left off, so the zygote stays single-threaded: a forked child inherits only the forking
thread, and a lock held by any other thread would stay locked forever in the child.

The zygote imports the modules the configuration preloads, freezes the garbage collector's generations so that
copy-on-write pages stay shared, and keeps spare children forked ahead of time (``jinn._spare``), each waiting
for a request (a 4-byte length and its marshal bytes, with the caller's descriptors attached by SCM_RIGHTS). The
spare becomes the run (``jinn._child``); the zygote reports the run's pid, then its exit status or signal when
the run announces it or once it has reaped it.

Most spares wait on a daemon's socket (``SPARE_SOCKETS``): the daemon sends one its request, then tells the
zygote (``TAKEN``), so the zygote's wake-up is not between a run and its start. Only the daemon knows whether it
handed a spare out: the zygote asks for one back (``ZYGOTE_RECLAIM``), and keeps a spare that ends before
``TAKEN`` in ``Zygote.vanished``. A ``RUN`` (no spare was ready) goes to a spare of the zygote's own.

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

* daemon to zygote: ``(RUN, run_id, request)`` with the run's descriptors attached (``request``: a dict with
  ``entry``, ``argv``, ``cwd``, ``env``, ``umask`` and ``fds``, one number per descriptor, as ARCHITECTURE.md's
  protocol table lists them), ``(SPARE_SOCKETS, [token, ...])`` with one socket per token, and ``(TAKEN, token,
  run_id, terminal)``.
* zygote to daemon (through ``jinn.send``): ``ZYGOTE_PRELOADING``, ``ZYGOTE_READY``, ``ZYGOTE_STARTED`` (with the
  seconds between the hand-over and the word), ``ZYGOTE_EXIT``, ``ZYGOTE_IMPORTS`` (after the exit),
  ``ZYGOTE_FAILED``, ``ZYGOTE_SPARE`` and ``ZYGOTE_RECLAIM``; ``jinn._protocol`` gives the fields of each.
"""

import collections
import gc
import marshal
import os
import select
import signal
import socket
import sys
import time

import jinn
from jinn import _cmdline, _environment, _errors, _finalization, _importer, _modules
from jinn._holder import describe_status
from jinn._page_lessons import PageLessons
from jinn._protocol import (RUN, SPARE_SOCKETS, TAKEN, ZYGOTE_EXIT, ZYGOTE_FAILED, ZYGOTE_IMPORTS, ZYGOTE_PRELOADING,
                            ZYGOTE_READY, ZYGOTE_RECLAIM, ZYGOTE_SPARE, ZYGOTE_STARTED)
from jinn._preloading import preload, watched_files
from jinn._spare import (MAX_FDS, REPORT_LIMIT, STANDARD_NUMBERS, fork as fork_spare, parent_death_setter, remains,
                         run_pid)
from jinn._watched_import import TIME_LIMIT

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
# The spares the daemon may have handed a run as they ended (see ``Zygote.vanished``), most recent kept.
_VANISHED_KEPT = 64

class Zygote:
    def __init__(self, channel_fd=CHANNEL_FD):
        self.channel = socket.socket(fileno=channel_fd)
        self.channel.setblocking(True)
        self.buffer = b""
        self.fds = []
        self.runs = {}  # pid -> (run id, the run's report socket or None, whether its end was reported)
        self.reports = {}  # report socket fd -> pid
        self.spares = []  # (pid, socket), oldest first
        self.supply = []  # (token, socket): the daemon's sockets for spares, not yet given to one
        self.token_of = {}  # spare pid -> the token of the daemon's socket it waits on
        self.spare_of = {}  # token -> spare pid
        self.reclaimed = {}  # spare pid -> socket: spares the daemon was asked to take back
        self.vanished = collections.OrderedDict()  # token -> (spare pid, run pid, report, status): see spare_ended
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
        self.poller = poller = select.poll()
        poller.register(self.channel.fileno(), select.POLLIN)
        poller.register(self.wakeup_read, select.POLLIN)
        # The daemon's sockets for spares were sent as the zygote started: read first, the first spares wait on them.
        if poller.poll(0) and not self.read_channel():
            self.shutdown()
            return
        while len(self.spares) < SPARES:
            self.add_spare()
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
                self.spare_ended(pid, status)

    def spare_ended(self, pid, status):
        """A spare ended without a run the zygote knows of: killed, taken back, or handed a run by the daemon whose
        word of it (``TAKEN``) is still to come, so it is kept as vanished. The poll's timeout replaces it."""
        socket_ = self.reclaimed.pop(pid, None)
        reclaimed = socket_ is not None
        for spare in [spare for spare in self.spares if spare[0] == pid]:
            socket_ = spare[1]
            self.spares.remove(spare)
        token = self.token_of.pop(pid, None)
        if token is None:
            self.lessons.gone(pid)
        else:
            del self.spare_of[token]
            self.vanished[token] = (pid,) + remains(socket_, pid) + (status,)
            while len(self.vanished) > _VANISHED_KEPT:
                self.lessons.gone(self.vanished.popitem(last=False)[1][0])
            if not reclaimed:
                self.send((ZYGOTE_RECLAIM, token))
        if socket_ is not None:
            socket_.close()

    def tell_end(self, run_id, data, status=None):
        """Tells how run ``run_id`` ended, from its report ``data`` (status, imports) or its holder's wait ``status``;
        returns None when neither says, else the rest of ``data`` (a learning run's newline and page report)."""
        if len(data) < 2:
            if status is None:
                return None
            kind, number = describe_status(status)
            self.send((ZYGOTE_EXIT, run_id, kind, number))
            return b""
        self.send((ZYGOTE_EXIT, run_id, "signaled" if data[0] else "exited", data[1]))
        names, newline, data = data[2:].partition(b"\n")
        imports = [name for name in names.decode("ascii", "replace").split() if name.isidentifier()]
        if imports:
            # After the end, so that the run's client never waits for it; the daemon learns preloads from it.
            self.send((ZYGOTE_IMPORTS, run_id, imports))
        return newline + data

    def read_report(self, fd):
        """A run announces how it ends just before it leaves, so that its client need not wait for the kernel to
        tear down the address space it shared with the zygote (milliseconds for a large zygote). The same write
        names the top-level libraries it imported, separated by spaces, for the daemon's adaptive preloads. A run
        that learns pages ends that write with a newline and sends its page report after its status
        (``jinn._page_lessons``)."""
        pid = self.reports[fd]
        run_id, report, reported = self.runs[pid]
        try:
            data = report.recv(REPORT_LIMIT)
        except BlockingIOError:  # a stale event for a descriptor number now used by another run's socket
            return
        except OSError:
            data = b""
        ended = not data  # the end of the socket: the run (and whatever it forked) is gone
        self.announce(pid)
        if not reported:
            rest = self.tell_end(run_id, data)
            reported = rest is not None
            if reported:
                self.lessons.status_reported(pid, rest[:1])
                data = rest[1:]
        if not self.lessons.receive(pid, data, ended):
            self.runs[pid] = (run_id, report, reported)
            return  # the rest of the page report is still to come
        self.runs[pid] = (run_id, None, reported)
        self.forget_report(report)
        self.last_event = time.monotonic()

    def add_spare(self, write_ahead=True, direct=True):
        """Forks a spare, which writes ahead what runs have taught so far unless it is needed at once (writing
        ahead takes about as long as the faults it saves); one that does not is renewed once the zygote is quiet.

        A ``direct`` spare waits on one of the daemon's sockets when the zygote has one: the daemon hands it its
        run itself and tells the zygote afterwards (``TAKEN``), so that the zygote, which would wake for it, is not
        between a run and its start. The others wait on their socket to the zygote, which forwards them a ``RUN``."""
        self.lessons.take(self.spares)
        self.lessons.writes_ahead = write_ahead
        token, requests = self.supply.pop(0) if direct and self.supply else (None, None)
        pid, spare = fork_spare(self, requests)
        self.spares.append((pid, spare))
        if token is not None:
            self.token_of[pid] = token
            self.spare_of[token] = pid
            self.send((ZYGOTE_SPARE, token, pid))

    def renew_spare(self):
        """Replaces the oldest spare that does not write the latest lesson, one per quiet moment, so that a
        zygote's spares come to write it even when runs are rare (a spare may wait for minutes)."""
        spare = self.lessons.stale_spare(self.spares)
        if spare is not None:
            self.spares.remove(spare)
            token = self.token_of.get(spare[0])
            if token is None:
                spare[1].close()  # the spare sees end of file and exits; the zygote reaps it
            else:
                # Only the daemon knows whether it has handed the spare a run: it closes its end if it has not.
                self.reclaimed[spare[0]] = spare[1]
                self.send((ZYGOTE_RECLAIM, token))
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
            # Forked before the run's descriptors leave ``self.fds``, which a spare closes: it must not keep them.
            self.own_spare()
            count = len(request.get("fds", STANDARD_NUMBERS))
            fds, self.fds = self.fds[:count], self.fds[count:]
            self.start_run(run_id, request, fds)
        elif kind == TAKEN:
            _, token, run_id, terminal = message
            self.taken(token, run_id, terminal)
        elif kind == SPARE_SOCKETS:
            tokens = message[1]
            fds, self.fds = self.fds[:len(tokens)], self.fds[len(tokens):]
            self.supply.extend((token, socket.socket(fileno=fd)) for token, fd in zip(tokens, fds))
        else:
            sys.stderr.write("jinn zygote: unknown message %r\n" % (kind,))

    def start_run(self, run_id, request, fds):
        if len(fds) != len(request.get("fds", STANDARD_NUMBERS)) or len(fds) > MAX_FDS:
            for fd in fds:
                os.close(fd)
            self.send((ZYGOTE_FAILED, run_id, "the run request came without its descriptors"))
            return
        pid, spare = self.own_spare()
        self.spares.remove((pid, spare))
        self.last_event = time.monotonic()
        # The spare stays behind as the run's holder; the run is the process it forked, which it named long before
        # (read now, so that nothing stands between the hand-over and the word of the run's start).
        run = run_pid(spare, pid)
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
        for fd in fds:
            os.close(fd)
        self.hand_over(pid, spare, run, run_id, request.get("terminal") is not None)

    def own_spare(self):
        """The oldest spare that waits on its socket to the zygote, forked now if there is none: the daemon hands
        out those that wait on its sockets."""
        for spare in self.spares:
            if spare[0] not in self.token_of:
                return spare
        self.add_spare(write_ahead=False, direct=False)
        return self.spares[-1]

    def taken(self, token, run_id, terminal):
        """The daemon sent the spare of ``token`` the run ``run_id`` (with a ``terminal``, whose start is told at
        once)."""
        self.last_event = time.monotonic()
        if token in self.vanished:
            # The spare's holder ended before this word: so did its run, or the spare, which then never read it.
            pid, run, data, status = self.vanished.pop(token)
            self.lessons.handed_out(pid)
            self.send((ZYGOTE_STARTED, run_id, run, 0.0))
            rest = self.tell_end(run_id, data, status)
            self.lessons.status_reported(pid, rest[:1])
            if not self.lessons.receive(pid, rest[1:], False):
                self.lessons.receive(pid, b"", True)  # a page report cut short is forgotten
            return
        pid = self.spare_of.pop(token, None)
        if pid is None:
            self.send((ZYGOTE_FAILED, run_id, "the zygote has no spare %r" % (token,)))
            return
        del self.token_of[pid]
        spare = self.reclaimed.pop(pid, None)  # asked back too late: it is a run now
        if spare is None:
            entry = next(entry for entry in self.spares if entry[0] == pid)
            self.spares.remove(entry)
            spare = entry[1]
        self.hand_over(pid, spare, run_pid(spare, pid), run_id, terminal)

    def hand_over(self, pid, spare, run, run_id, terminal):
        """Follows the run ``run`` that the spare ``pid`` (whose socket is ``spare``) has become."""
        self.lessons.handed_out(pid)
        started = (ZYGOTE_STARTED, run_id, run)
        if not terminal:
            self.unannounced[pid] = (time.monotonic(), started)
        else:
            self.send(started + (0.0,))
        self.runs[pid] = (run_id, spare, False)
        # The spare's socket stays open: the run reports its end on it.
        spare.setblocking(False)
        self.reports[spare.fileno()] = pid
        self.poller.register(spare.fileno(), select.POLLIN)
        if not self.spares:
            # Runs are arriving back to back: the next one must not wait for a fork.
            self.add_spare(write_ahead=False)

    def shutdown(self):
        for pid in list(self.unannounced):
            self.announce(pid)
        for _, spare in self.spares:
            spare.close()  # the spare sees end of file and exits
        self.spares = []


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
