"""The zygote: its loop's helpers, and runs through a zygote booted as the daemon boots one (``jinn x.py``)
against the same runs under ``python3``."""

import io
import marshal
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest
import zipfile

import support  # noqa: F401  (puts the embedded package on sys.path)

import memory_program
from jinn import _holder, _preloading, _zygote


class StatusTests(unittest.TestCase):
    def test_wait_statuses(self):
        self.assertEqual(_holder.describe_status(0), ("exited", 0))
        self.assertEqual(_holder.describe_status(3 << 8), ("exited", 3))
        self.assertEqual(_holder.describe_status(15), ("signaled", 15))


class PreloadTests(unittest.TestCase):
    def test_failures_are_reported_not_raised(self):
        errors = io.StringIO()
        loaded, failed, refused = _preloading.preload(["json", "no_such_module_here"], errors)
        self.assertEqual(loaded, ["json"])
        self.assertEqual(refused, [])
        self.assertEqual(failed[0][0], "no_such_module_here")
        self.assertIn("ModuleNotFoundError", failed[0][1])
        self.assertIn("cannot preload no_such_module_here", errors.getvalue())

    def test_each_module_is_announced_before_its_import(self):
        seen = []
        _preloading.preload(["json", "no_such_module_here"], io.StringIO(),
                        lambda name: seen.append((name, name in sys.modules)))
        self.assertEqual(seen[1], ("no_such_module_here", False))
        self.assertEqual(seen[0][0], "json")

    def test_watched_files_include_the_interpreter_and_preloaded_files(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "watched_module_for_test.py")
            with open(path, "w") as file:
                file.write("X = 1\n")
            sys.path.insert(0, directory)
            try:
                loaded, _, _ = _preloading.preload(["watched_module_for_test"])
                watched = {item[0]: item for item in _preloading.watched_files(loaded)}
            finally:
                sys.path.remove(directory)
                sys.modules.pop("watched_module_for_test", None)
            self.assertIn(sys.executable, watched)
            self.assertIn(path, watched)
            info = os.stat(path)
            self.assertEqual(watched[path][1:], (info.st_mtime_ns, info.st_size, info.st_ino))


class Zygote:
    """A zygote started through the bootstrap, with the channel socket the daemon gives it."""

    def __init__(self, preload, spare_sockets=0):
        program = memory_program.describe({}, entry=("module", "jinn._zygote"), argv=["jinn._zygote"],
                                          values={"preload": preload}, listen=False)
        self.log = tempfile.TemporaryFile()
        self.process, self.socket = memory_program.start(program, "/", subprocess.DEVNULL, self.log,
                                                         preexec_fn=_as_a_shell_starts_it)
        self.socket.settimeout(30)
        self.buffer = b""
        self.next_id = 0
        # As the daemon does: sockets for spares, each of which the zygote reports once a spare waits on it.
        self.pending = []
        self.available = {}  # token -> our end of a socket a spare waits on
        self.spare_pids = {}  # token -> the pid of the spare that waits on it
        self.reclaimed = []
        self.supplied, self.next_token = {}, 0
        if spare_sockets:
            self.supply(spare_sockets)
        # Each preloaded module is announced before its import, then the zygote is ready.
        self.announced = []
        kind, facts = self.event()
        while kind == "preloading":
            self.announced.append(facts)
            kind, facts = self.event()
        assert kind == "ready", (kind, facts)

    def event(self):
        """The next value the zygote sent with jinn.send (its spares' words are taken as the daemon takes them)."""
        while not self.pending:
            self._read(30)
        return self.pending.pop(0)

    def pump_until(self, done, timeout=10):
        """Reads what the zygote sends until ``done()``."""
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, "the zygote did not send what was waited for"
            self._read(0.1)

    def _read(self, timeout):
        while len(self.buffer) >= 4:
            size = int.from_bytes(self.buffer[:4], "little")
            if len(self.buffer) < 4 + size:
                break
            message = marshal.loads(self.buffer[4:4 + size])
            self.buffer = self.buffer[4 + size:]
            if message[0] != "message":
                continue  # the code the bootstrap compiled, kept by the Swift side
            value = message[1]
            if value[0] == "spare":
                self.available[value[1]] = self.supplied.pop(value[1])
                self.spare_pids[value[1]] = value[2]
                self.supply(1)
            elif value[0] == "reclaim":
                self.reclaimed.append(value[1])
                end = self.available.pop(value[1], None)
                if end is not None:
                    end.close()
            else:
                self.pending.append(value)
            return
        self.socket.settimeout(timeout)
        try:
            chunk = self.socket.recv(1 << 16)
        except socket.timeout:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.process.wait(30)
            self.log.seek(0)
            raise AssertionError("the zygote ended with status %s: %s"
                                 % (self.process.returncode, self.log.read().decode(errors="replace")))
        self.buffer += chunk

    def request(self, entry, argv, cwd):
        return {"entry": (entry[0], os.fsencode(entry[1])), "argv": [os.fsencode(word) for word in argv],
                "cwd": os.fsencode(cwd), "env": [key + b"=" + value for key, value in os.environb.items()],
                "umask": 0o022}

    def hand_to_spare(self, token, request, fds):
        """Sends a spare its request and waits for its acknowledgement, as the daemon does before it tells the zygote
        (``taken``); returns the acknowledgement (empty: the spare died without reading)."""
        end = self.available.pop(token)
        payload = marshal.dumps(request)
        socket.send_fds(end, [len(payload).to_bytes(4, "little") + payload], fds)
        acknowledgement = end.recv(1)
        end.close()
        return acknowledgement

    def run(self, entry, argv, cwd, extra=None):
        """Runs a request as the daemon sends it; returns (status or -signal, stdout, stderr) as subprocess would.
        ``extra`` maps more numbers (or roles) to descriptors sent with the standard streams; the caller closes
        them."""
        self.next_id += 1
        run_id = "run-%d" % self.next_id
        request = self.request(entry, argv, cwd)
        output, errors = os.pipe(), os.pipe()
        stdin = os.open(os.devnull, os.O_RDONLY)
        fds = [stdin, output[1], errors[1]]
        if extra is not None:
            request["fds"] = [0, 1, 2] + list(extra)
            fds += list(extra.values())
        self.last_token = min(self.available) if self.available else None
        if self.last_token is not None:
            self.hand_to_spare(self.last_token, request, fds)
            self.send(("taken", self.last_token, run_id, False))
        else:
            self.send(("run", run_id, request), fds)
        for fd in (stdin, output[1], errors[1]):
            os.close(fd)
        texts = {}
        readers = [threading.Thread(target=_read_all, args=(fd, texts)) for fd in (output[0], errors[0])]
        for reader in readers:
            reader.start()
        self.last_events = []
        while True:
            event = self.event()
            self.last_events.append(event)
            if event[0] == "exit" and event[1] == run_id:
                break
            assert event[0] == "started" and event[1] == run_id, event
        for reader in readers:
            reader.join(30)
        return (event[3] if event[2] == "exited" else -event[3]), texts[output[0]], texts[errors[0]]

    def send(self, message, fds=()):
        payload = marshal.dumps(message)
        socket.send_fds(self.socket, [len(payload).to_bytes(4, "little") + payload], list(fds))

    def supply(self, count):
        ours, theirs = [], []
        for _ in range(count):
            end, other = socket.socketpair()
            self.supplied[self.next_token] = end
            ours.append(self.next_token)
            theirs.append(other)
            self.next_token += 1
        self.send(("sockets", ours), [other.fileno() for other in theirs])
        for other in theirs:
            other.close()

    def close(self):
        for end in list(self.available.values()) + list(self.supplied.values()):
            end.close()
        self.socket.close()
        self.process.wait(30)
        self.log.close()


def _as_a_shell_starts_it():
    # A test runner may block or ignore SIGINT, and both are inherited: python3, or a run of the zygote, would then
    # exit with status 130 after an uncaught KeyboardInterrupt instead of dying of SIGINT.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _read_all(fd, texts):
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    texts[fd] = b"".join(chunks).decode("utf-8", "replace")


SHOW = textwrap.dedent('''\
    import sys, threading
    print(sys.argv, repr(__file__), sys.path[0], __name__, type(__loader__).__name__, sorted(globals()))
    print([name for name in sys.modules if name.split(".")[0] == "jinn"], sys.excepthook is sys.__excepthook__,
          threading.excepthook is threading.__excepthook__, type(threading.excepthook).__name__)
    ''')

THREAD_FAILS = textwrap.dedent('''\
    import threading

    def work():
        raise KeyError("from a thread")

    thread = threading.Thread(target=work, name="worker")
    thread.start()
    thread.join()
    ''')


class ZygoteRunTests(unittest.TestCase):
    """Runs of a zygote print what python3 prints and end as it ends."""

    @classmethod
    def setUpClass(cls):
        cls.root = os.path.realpath(tempfile.mkdtemp())
        for path, text in (("real/show.py", SHOW), ("app/__main__.py", SHOW), ("threads.py", THREAD_FAILS),
                           ("fails.py", "def f():\n    return 1 / 0\n\nf()\n"),
                           ("exits.py", "import sys\nprint('out')\nsys.exit('a message')\n"),
                           ("interrupted.py", "print('partial')\nraise KeyboardInterrupt\n")):
            path = os.path.join(cls.root, path)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as file:
                file.write(text)
        os.makedirs(os.path.join(cls.root, "links"))
        os.symlink("../real/show.py", os.path.join(cls.root, "links", "show.py"))
        with zipfile.ZipFile(os.path.join(cls.root, "app.zip"), "w") as archive:
            archive.writestr("__main__.py", SHOW)
        cls.zygote = Zygote(["threading"])

    @classmethod
    def tearDownClass(cls):
        cls.zygote.close()
        shutil.rmtree(cls.root)

    def assertSameAsPython3(self, argv):
        if argv[0] in ("-c", "-m"):
            entry = ("code" if argv[0] == "-c" else "module", argv[1])
            arguments = [argv[0]] + argv[2:]
        else:
            entry, arguments = ("script", argv[0]), argv
        expected = subprocess.run([sys.executable] + argv, cwd=self.root, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, preexec_fn=_as_a_shell_starts_it)
        actual = self.zygote.run(entry, arguments, self.root)
        self.assertEqual(actual, (expected.returncode, expected.stdout, expected.stderr))
        return actual

    def test_scripts_directories_and_zip_files(self):
        for argv in (["real/show.py", "a"], ["links/show.py"], ["./links/show.py", "b"], ["app", "c"],
                     ["app.zip"], ["-c", "import sys; print(sys.argv, repr(sys.path[0]))", "d"],
                     ["-m", "fails"], ["missing.py"]):
            with self.subTest(argv=argv):
                self.assertSameAsPython3(argv)

    def test_how_runs_end(self):
        for argv in (["fails.py"], ["exits.py"], ["interrupted.py"], ["threads.py"]):
            with self.subTest(argv=argv):
                self.assertSameAsPython3(argv)


class _WithZygote(unittest.TestCase):
    """A test case whose tests share one zygote that preloads nothing."""

    @classmethod
    def setUpClass(cls):
        cls.zygote = Zygote([], spare_sockets=4)

    @classmethod
    def tearDownClass(cls):
        cls.zygote.close()


class ZygoteSpareSocketTests(_WithZygote):
    """Spares wait on the daemon's sockets: the daemon hands one its run and tells the zygote afterwards."""

    def test_a_run_goes_to_a_spare_on_the_daemons_socket(self):
        self.zygote.pump_until(lambda: self.zygote.available)
        self.assertEqual(self.zygote.run(("code", "print('direct')"), ["-c"], "/"), (0, "direct\n", ""))
        self.assertIsNotNone(self.zygote.last_token)
        # A request through the zygote goes to a spare of its own while the daemon's stay where they are.
        waiting = dict(self.zygote.available)
        self.zygote.available = {}
        try:
            self.assertEqual(self.zygote.run(("code", "print('through')"), ["-c"], "/"), (0, "through\n", ""))
        finally:
            self.zygote.available.update(waiting)
        self.assertIsNone(self.zygote.last_token)
        self.assertEqual(self.zygote.run(("code", "raise SystemExit(4)"), ["-c"], "/"), (4, "", ""))

    def test_a_spare_killed_before_its_run_is_reclaimed(self):
        self.zygote.pump_until(lambda: self.zygote.available)
        token = max(self.zygote.available)
        os.kill(self.zygote.spare_pids[token], signal.SIGKILL)
        self.zygote.pump_until(lambda: token in self.zygote.reclaimed)
        self.assertNotIn(token, self.zygote.available)
        self.assertEqual(self.zygote.run(("code", "print('after')"), ["-c"], "/"), (0, "after\n", ""))

    def test_a_spare_that_dies_before_it_reads_its_request_does_not_acknowledge_it(self):
        self.zygote.pump_until(lambda: self.zygote.available)
        token = max(self.zygote.available)
        holder = self.zygote.spare_pids[token]
        os.kill(holder, signal.SIGKILL)  # the run-to-be dies with it (its parent-death signal)
        output = os.pipe()
        stdin = os.open(os.devnull, os.O_RDONLY)
        try:
            acknowledgement = self.zygote.hand_to_spare(
                token, self.zygote.request(("code", "print('ran')"), ["-c"], "/"), [stdin, output[1], output[1]])
        except (BrokenPipeError, ConnectionResetError):
            acknowledgement = b""
        for fd in (stdin, output[1]):
            os.close(fd)
        with os.fdopen(output[0], "rb") as pipe:
            ran = pipe.read()
        # The run-to-be dies once its holder's exit is through, and may read the request first: then it is a run,
        # and says so. Never one without the other.
        self.assertIn((acknowledgement, ran), [(b"", b""), (b"r", b"ran\n")])
        self.zygote.pump_until(lambda: token in self.zygote.reclaimed)

    def test_a_run_that_ended_before_the_zygote_heard_of_it_is_told_as_it_ended(self):
        self.zygote.pump_until(lambda: self.zygote.available)
        token = min(self.zygote.available)
        holder = self.zygote.spare_pids[token]
        output = os.pipe()
        stdin = os.open(os.devnull, os.O_RDONLY)
        self.zygote.hand_to_spare(token, self.zygote.request(("code", "print('gone'); raise SystemExit(3)"),
                                                             ["-c"], "/"), [stdin, output[1], output[1]])
        for fd in (stdin, output[1]):
            os.close(fd)
        with os.fdopen(output[0], "rb") as pipe:
            self.assertEqual(pipe.read(), b"gone\n")
        deadline = time.monotonic() + 10
        while _exists(holder):  # until the zygote has reaped the holder
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.01)
        self.zygote.send(("taken", token, "late", False))
        started, ended = self.zygote.event(), self.zygote.event()
        self.assertEqual((started[0], started[1], started[3]), ("started", "late", 0.0))
        self.assertNotEqual(started[2], holder)  # the run's pid, which the holder wrote
        self.assertEqual(ended, ("exit", "late", "exited", 3))


def _exists(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class ZygoteStartWordTests(_WithZygote):
    """The word of a run's start waits a moment: a short run's comes with its end, a longer one's while it runs."""

    def test_a_short_runs_start_is_told_with_its_end_and_a_long_runs_while_it_runs(self):
        self.assertEqual(self.zygote.run(("code", "pass"), ["-c"], "/"), (0, "", ""))
        started, ended = self.zygote.last_events
        self.assertEqual((started[0], ended[0]), ("started", "exit"))
        self.assertGreaterEqual(started[3], 0.0)
        self.assertEqual(self.zygote.run(("code", "import time; time.sleep(0.5)"), ["-c"], "/"), (0, "", ""))
        started, ended = self.zygote.last_events
        # Told a moment after the hand-over, long before the run's end.
        self.assertGreaterEqual(started[3], _zygote.ANNOUNCE_AFTER)
        self.assertLess(started[3], 0.3)


class ZygoteDescriptorTests(_WithZygote):
    """A run gets the caller's descriptors at their numbers, tells its status on the status pipe and enters its
    working directory by descriptor."""

    def test_a_descriptor_reaches_the_run_at_its_number_and_the_status_comes_on_its_pipe(self):
        extra_reader, extra_writer = os.pipe()
        status_reader, status_writer = os.pipe()
        code = ("import os, subprocess\n"
                "os.write(5, b'to five')\n"
                "print(os.get_inheritable(5))\n"
                "subprocess.run(['ls', '/proc/self/fd'], close_fds=False)\n"
                "raise SystemExit(7)\n")
        try:
            actual = self.zygote.run(("code", code), ["-c"], "/", {5: extra_writer, -2: status_writer})
        finally:
            os.close(extra_writer)
            os.close(status_writer)
        self.assertEqual(os.read(extra_reader, 100), b"to five")
        # Only what the caller passed is inherited by the run's children: Jinn's own are close-on-exec.
        self.assertEqual(actual, (7, "True\n0\n1\n2\n3\n5\n", ""))
        # The run's message, then its holder's, which says the same (the first one wins).
        with os.fdopen(os.dup(status_reader), "rb") as pipe:
            self.assertEqual(pipe.read(), bytes((0, 7)) * 2)
        os.close(extra_reader)
        os.close(status_reader)

    def test_a_deleted_working_directory_is_entered_by_its_descriptor_as_python3_stays_in_it(self):
        code = ("import os\n"
                "try:\n"
                "    os.getcwd()\n"
                "except FileNotFoundError as error:\n"
                "    print('FileNotFoundError', error.errno)\n"
                "print(os.path.exists('gone.txt'), os.stat('.').st_nlink)\n")
        directory = tempfile.mkdtemp()
        with open(os.path.join(directory, "gone.txt"), "w"):
            pass
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        os.unlink(os.path.join(directory, "gone.txt"))
        os.rmdir(directory)
        try:
            actual = self.zygote.run(("code", code), ["-c"], directory, {-3: fd})
        finally:
            os.close(fd)

        def in_deleted_directory():
            # What a shell does: it stays in a directory that is removed under it.
            holder = tempfile.mkdtemp()
            os.chdir(holder)
            os.rmdir(holder)
            _as_a_shell_starts_it()

        expected = subprocess.run([sys.executable, "-c", code], stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, preexec_fn=in_deleted_directory)
        self.assertEqual(actual, (expected.returncode, expected.stdout, expected.stderr))
        self.assertIn("FileNotFoundError", actual[1])


if __name__ == "__main__":
    unittest.main()
