"""Unit tests of the holder, a run's own parent (``jinn._holder``)."""

import errno
import os
import signal
import time
import unittest

import support  # noqa: F401  (puts the embedded package on sys.path)
from jinn import _holder


def _fresh_signals():
    """A spare's signal state (as the zygote's spares have it), whatever a test runner ignores or blocks."""
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    for number in (signal.SIGCHLD, signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


class HolderTests(unittest.TestCase):
    def spare(self, run, request=None, hand_over=True, fds=()):
        """Forks a spare that leads its session and splits into a holder and a run-to-be, which runs ``run()``
        after its hand-over and exits with what it returns (an int) or prints (bytes on the pipe it gets as
        ``run(output)``). Returns ``(holder pid, the wait status of the holder, what the run wrote)``."""
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                os.close(reader)
                os.setsid()
                _fresh_signals()
                handover = _holder.split(None)
                if hand_over:
                    handover.complete(request or {}, fds)
                status = run(writer)
            finally:
                os._exit(status if isinstance(status, int) else 0)
        os.close(writer)
        with os.fdopen(reader, "rb") as pipe:
            written = pipe.read()
        _, status = os.waitpid(pid, 0)
        return pid, status, written

    def test_the_run_is_neither_a_session_nor_a_group_leader_and_may_become_either(self):
        def run(out):
            facts = [os.getsid(0) != os.getpid(), os.getpgrp() != os.getpid(), os.getpgrp() == os.getppid()]
            os.setpgrp()
            facts.append(os.getpgrp() == os.getpid())
            os.setpgid(0, os.getsid(0))  # back into the holder's group, then a session of its own
            os.setsid()
            facts.append(os.getsid(0) == os.getpid())
            os.write(out, repr(facts).encode())
            return 0

        _, status, written = self.spare(run)
        self.assertEqual(written, repr([True] * 5).encode())
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)

    def test_the_holder_ends_as_its_run_ended(self):
        _, status, _ = self.spare(lambda out: 7)
        self.assertEqual(os.waitstatus_to_exitcode(status), 7)
        _, status, _ = self.spare(lambda out: os.kill(os.getpid(), signal.SIGKILL))
        self.assertEqual(os.waitstatus_to_exitcode(status), -signal.SIGKILL)

        def interrupted(out):
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)

        _, status, _ = self.spare(interrupted)
        self.assertEqual(os.waitstatus_to_exitcode(status), -signal.SIGINT)

    def test_the_holder_writes_the_status_of_a_run_that_died_without_writing_it(self):
        for run, expected in ((lambda out: os.kill(os.getpid(), signal.SIGKILL), bytes((1, signal.SIGKILL))),
                              (lambda out: 3, bytes((0, 3)))):
            reader, writer = os.pipe()
            _, status, _ = self.spare(run, fds={_holder.STATUS: writer, 0: 0})
            os.close(writer)
            with os.fdopen(reader, "rb") as pipe:
                self.assertEqual(pipe.read(), expected)

    def test_a_run_to_be_that_goes_before_its_hand_over_ends_its_holder(self):
        _, status, written = self.spare(lambda out: os.write(out, b"spare") and 0, hand_over=False)
        self.assertEqual((os.waitstatus_to_exitcode(status), written), (0, b"spare"))

    def test_the_parent_is_the_requests_in_the_run_and_the_real_one_in_its_children(self):
        def run(out):
            holder = os.getpgrp()
            child = os.fork()
            if child == 0:
                os._exit(0 if os.getppid() != 4242 else 1)
            _, child_status = os.waitpid(child, 0)
            os.write(out, repr((os.getppid(), holder != 4242, os.waitstatus_to_exitcode(child_status))).encode())
            return 0

        _, _, written = self.spare(run, {"parent": 4242})
        self.assertEqual(written, repr((4242, True, 0)).encode())
        # Without a parent in the request, the real one.
        _, _, written = self.spare(lambda out: os.write(out, str(os.getppid() == os.getpgrp()).encode()) and 0)
        self.assertEqual(written, b"True")

    def test_signals_to_the_holder_or_its_group_do_not_end_it(self):
        def run(out):
            got = []
            signal.signal(signal.SIGUSR1, lambda number, frame: got.append(int(number)))
            holder = os.getpgrp()
            os.kill(holder, signal.SIGTERM)
            os.killpg(holder, signal.SIGUSR1)  # the group: the run has it once, from the group
            deadline = time.monotonic() + 30
            while not got and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.05)
            os.write(out, repr((got, os.getpgid(holder) == holder)).encode())
            return 0

        _, status, written = self.spare(run)
        self.assertEqual(written, repr(([int(signal.SIGUSR1)], True)).encode())
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)

    def test_a_run_that_left_the_holders_group_gets_what_the_holder_gets(self):
        def run(out):
            got = []
            signal.signal(signal.SIGUSR2, lambda number, frame: got.append(int(number)))
            holder = os.getsid(0)
            os.setsid()
            os.kill(holder, signal.SIGUSR2)
            deadline = time.monotonic() + 30
            while not got and time.monotonic() < deadline:
                time.sleep(0.01)
            os.write(out, repr(got).encode())
            return 0

        _, _, written = self.spare(run)
        self.assertEqual(written, repr([int(signal.SIGUSR2)]).encode())


def _client(place):
    """Starts a process standing for a client where a shell puts it; returns its pid and the pids to kill.
    ``place``: "leads its group" (a job of a shell with job control), "in a group" (a script's command under such
    a shell), "orphaned" (a script's command where the script leads its session), "leads its session"."""
    reader, writer = os.pipe()
    shell = os.fork()
    if shell == 0:
        try:
            os.setsid() if place in ("orphaned", "leads its session") else os.setpgid(0, 0)
            client = os.getpid()
            if place in ("in a group", "orphaned"):
                client = os.fork()
                if client == 0:
                    time.sleep(60)
                    os._exit(0)
            os.write(writer, client.to_bytes(4, "little"))
            time.sleep(60)
        finally:
            os._exit(0)
    os.close(writer)
    client = int.from_bytes(os.read(reader, 4), "little")
    os.close(reader)
    return client, {shell, client}


class TerminalHolderTests(unittest.TestCase):
    def terminal_run(self, place):
        """What a run with a terminal of its own finds of its group and session, for a client at ``place``."""
        master, slave = os.openpty()
        client, processes = _client(place)

        def run(out):
            terminal_group = os.tcgetpgrp(slave)  # only the controlling terminal's is given
            os.close(os.open("/dev/tty", os.O_RDWR))
            facts = {"session leader": os.getsid(0) == os.getpid(), "group leader": os.getpgrp() == os.getpid(),
                     "the holder's group": os.getpgrp() == os.getsid(0) and os.getsid(0) != os.getpid(),
                     "the terminal's foreground group is its own or the holder's":
                         terminal_group in (os.getpgrp(), os.getsid(0))}
            try:
                os.setsid()
                facts["setsid"] = "ok"
            except OSError as error:
                facts["setsid"] = error.errno
            os.write(out, repr(sorted(facts.items())).encode())
            return 0

        try:
            _, status, written = HolderTests.spare(self, run, {"terminal": client}, fds=(slave,))
        finally:
            for pid in processes:
                os.kill(pid, signal.SIGKILL)
            os.waitpid(min(processes), 0)  # the shell, forked first
            os.close(master)
            os.close(slave)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        return dict(eval(written))

    def expect(self, place, session_leader, group_leader, holders_group, setsid):
        self.assertEqual(self.terminal_run(place), {
            "session leader": session_leader, "group leader": group_leader, "the holder's group": holders_group,
            "the terminal's foreground group is its own or the holder's": True, "setsid": setsid})

    def test_under_a_shell_with_job_control_the_run_leads_its_group_as_python3_would(self):
        self.expect("leads its group", False, True, False, errno.EPERM)

    def test_under_a_script_the_run_is_in_a_group_it_does_not_lead_and_may_start_a_session(self):
        self.expect("in a group", False, False, False, "ok")

    def test_where_the_clients_group_is_orphaned_so_is_the_runs(self):
        self.expect("orphaned", False, False, True, "ok")

    def test_a_client_that_leads_its_session_has_a_run_that_leads_the_terminals(self):
        self.expect("leads its session", True, True, False, errno.EPERM)


class ZygoteSocketTests(unittest.TestCase):
    def test_the_holder_names_the_run_to_be_and_ends_with_it_when_the_zygote_goes_before_the_hand_over(self):
        import socket

        zygote_end, spare_end = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            try:
                zygote_end.close()
                os.setsid()
                _fresh_signals()
                _holder.split(None, spare_end)
                # The run-to-be waits for a request that never comes, and leaves at the end of the zygote's
                # socket, as a spare does.
                if not spare_end.recv(1):
                    os._exit(3)
                time.sleep(60)
            finally:
                os._exit(0)
        spare_end.close()
        named = zygote_end.recv(4)
        run_to_be = int.from_bytes(named, "little")
        self.assertEqual(len(named), 4)
        self.assertEqual(os.getsid(run_to_be), pid)  # the holder's session's
        zygote_end.close()
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 3)  # the holder ended as its run-to-be did


class InstallParentTests(unittest.TestCase):
    def test_nothing_changes_without_a_parent(self):
        before = os.getppid
        for parent in (None, 0, -1, "1"):
            _holder.install_parent(parent)
            self.assertIs(os.getppid, before)


if __name__ == "__main__":
    unittest.main()
