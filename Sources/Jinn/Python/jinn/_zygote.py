"""The zygote: a warm interpreter that forks one child per script run.

The daemon starts this module through the Jinn bootstrap with the channel socket on descriptor 3 and the reader
thread of the channel left off, so the zygote stays single-threaded: a forked child inherits only the forking
thread, and a lock held by any other thread would stay locked forever in the child.

The zygote imports the modules the configuration preloads, freezes the garbage collector's generations so that
copy-on-write pages stay shared, and keeps spare children forked ahead of time, parked on socket pairs. A run
request from the daemon carries the caller's standard input, output and error as descriptors (SCM_RIGHTS); the
zygote hands request and descriptors to a spare, reports the spare's pid, and reports the run's exit status or
signal when the run announces it or once it has reaped it.

Forking a zygote that holds numpy and scipy takes about a millisecond of CPU, and on a small machine that
millisecond is taken from the run, its client and the daemon whenever they overlap. So the zygote keeps two
spares and forks replacements once it has been quiet for a moment (``REPLENISH_AFTER``); only when the last spare
is taken does it fork at once, so back-to-back runs never wait for a fork either.

A spare prepares what does not depend on the run while it waits (see :func:`prepare_spare`): it reseeds
``random`` (and numpy's global generator) and rehearses a run's set-up on ``/dev/null``. Given a run, the child
calls ``setsid``, installs the descriptors, changes directory, replaces ``os.environ``, sets the umask, rebuilds
``sys.stdin``/``sys.stdout``/``sys.stderr`` as the interpreter builds them at start-up and runs the script as
``__main__`` the way ``python3`` does. It ends as a ``python3`` process ends (exit status, traceback, threads
joined, ``atexit``, flush, status 120 for a failed flush, death by SIGINT after an uncaught ``KeyboardInterrupt``)
without tearing down the interpreter it shares with the zygote (see :func:`finish`).

Messages (``marshal`` tuples in length-prefixed frames, the first element names the kind):

* daemon to zygote: ``("run", run_id, request)`` with three descriptors attached, where ``request`` is a dict
  with ``entry`` (``("script", path)``, ``("code", source)`` or ``("module", name)``; strings as bytes), ``argv``,
  ``cwd`` and ``env`` (bytes, ``env`` as ``KEY=VALUE`` items) and ``umask``.
* zygote to daemon (through ``jinn.send``): ``("ready", facts)``, ``("started", run_id, pid)``,
  ``("exit", run_id, "exited" | "signaled", number)`` and ``("failed", run_id, message)``.
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

CHANNEL_FD = 3
_MAX_FDS = 3
_CHUNK = 1 << 16
# Spares kept forked ahead, and how long the zygote must have been quiet (seconds) before it forks replacements.
SPARES = 2
REPLENISH_AFTER = 0.01

# ---------------------------------------------------------------------------------------------------------------
# What the zygote does before it serves: preload, describe itself, freeze.


def preload(names, stderr=None):
    """Imports each module; returns the names that loaded and ``(name, error)`` pairs for the others."""
    import importlib

    loaded, failed = [], []
    for name in names:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except BaseException as error:  # a broken preload must not take the zygote down
            failed.append((name, "%s: %s" % (type(error).__name__, error)))
            if stderr is not None:
                stderr.write("jinn zygote: cannot preload %s: %s: %s\n" % (name, type(error).__name__, error))
    return loaded, failed


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


# ---------------------------------------------------------------------------------------------------------------
# How the child becomes the script: pure helpers first, so they can be tested without forking.


def absolute_path(path, cwd):
    """The path as ``python3`` makes a script path absolute: joined to the working directory, not normalized."""
    if os.path.isabs(path):
        return path
    return os.path.join(cwd, path)


def environment_from(items):
    """A dict of bytes from ``KEY=VALUE`` byte strings, as the C environment holds them (first ``=`` splits)."""
    result = {}
    for item in items:
        key, sep, value = item.partition(b"=")
        if sep and key:
            result.setdefault(key, value)
    return result


def describe_status(status):
    """``("exited", code)`` or ``("signaled", number)`` for a wait status."""
    if os.WIFSIGNALED(status):
        return "signaled", os.WTERMSIG(status)
    if os.WIFEXITED(status):
        return "exited", os.WEXITSTATUS(status)
    return "exited", 255


def main_module(loader=None, file=None):
    """A fresh ``__main__`` with the attributes the interpreter gives it at start-up."""
    import builtins

    module = type(sys)("__main__")
    module.__annotations__ = {}
    module.__builtins__ = builtins
    if file is not None:
        module.__file__ = file
        module.__cached__ = None
    if loader is not None:
        module.__loader__ = loader
    return module


def make_stdio(fd, write, encoding, errors, buffered, role=None):
    """A standard stream built the way CPython's start-up builds one (``create_stdio``), for standard descriptor
    ``role`` (0, 1 or 2; ``fd`` itself unless given)."""
    import io

    role = fd if role is None else role
    buffering = 0 if (write and not buffered) else -1
    stream = io.open(fd, "wb" if write else "rb", buffering, closefd=False)
    raw = stream if buffering == 0 else stream.raw
    raw.name = ("<stdin>", "<stdout>", "<stderr>")[role]
    try:
        isatty = raw.isatty()
    except OSError:
        isatty = False
    line_buffering = buffered and (isatty or role == 2)
    text = io.TextIOWrapper(stream, encoding, errors, "\n", line_buffering, not buffered)
    text.mode = "w" if write else "r"
    return text


def trim_traceback(tb, boundary):
    """The traceback after the frame running ``boundary`` (a code object): the zygote's frames are not the
    script's. Unchanged when the boundary is not in it."""
    current = tb
    while current is not None:
        if current.tb_frame.f_code is boundary:
            return current.tb_next
        current = current.tb_next
    return tb


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
        self.last_event = 0.0  # when the zygote last handed out a spare or heard of a run's end
        self.wakeup_read, self.wakeup_write = os.pipe()
        os.set_blocking(self.wakeup_write, False)
        os.set_blocking(self.wakeup_read, False)
        self.prctl = _parent_death_setter()
        self.pid = os.getpid()
        self.startup_modules = frozenset(sys.modules)
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
            self.fork_spare()
        self.poller = poller = select.poll()
        poller.register(self.channel.fileno(), select.POLLIN)
        poller.register(self.wakeup_read, select.POLLIN)
        while True:
            try:
                events = poller.poll(self.replenish_timeout())
            except InterruptedError:  # pragma: no cover - PEP 475 retries
                continue
            if not events:
                self.fork_spare()
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

    def replenish_timeout(self):
        """Milliseconds until a missing spare is due (None: wait for events only)."""
        if len(self.spares) >= SPARES:
            return None
        return max(0, (self.last_event + REPLENISH_AFTER - time.monotonic()) * 1000)

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
            run = self.runs.pop(pid, None)
            if run is not None:
                run_id, report, reported = run
                if report is not None:
                    self.forget_report(report)
                if not reported:
                    kind, number = describe_status(status)
                    self.send(("exit", run_id, kind, number))
            else:
                # A spare died before it was used (killed from outside): the poll's timeout replaces it.
                for spare in [spare for spare in self.spares if spare[0] == pid]:
                    spare[1].close()
                    self.spares.remove(spare)

    def read_report(self, fd):
        """A run announces how it ends just before it leaves, so that its client need not wait for the kernel to
        tear down the address space it shared with the zygote (milliseconds for a large zygote)."""
        pid = self.reports[fd]
        run_id, report, reported = self.runs[pid]
        try:
            data = report.recv(2)
        except BlockingIOError:  # a stale event for a descriptor number now used by another run's socket
            return
        except OSError:
            data = b""
        if len(data) == 2 and not reported:
            self.send(("exit", run_id, "signaled" if data[0] else "exited", data[1]))
            self.runs[pid] = (run_id, None, True)
        else:
            self.runs[pid] = (run_id, None, reported)
        self.forget_report(report)
        self.last_event = time.monotonic()

    def forget_report(self, report):
        fd = report.fileno()
        if fd in self.reports:
            del self.reports[fd]
            self.poller.unregister(fd)
        report.close()

    def read_channel(self):
        """Reads what is available; handles complete frames. Returns False at the end of the stream."""
        try:
            data, fds, _, _ = socket.recv_fds(self.channel, _CHUNK, _MAX_FDS * 16)
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
        if kind == "run":
            _, run_id, request = message
            fds, self.fds = self.fds[:_MAX_FDS], self.fds[_MAX_FDS:]
            self.start_run(run_id, request, fds)
        else:
            sys.stderr.write("jinn zygote: unknown message %r\n" % (kind,))

    def start_run(self, run_id, request, fds):
        if len(fds) != _MAX_FDS:
            for fd in fds:
                os.close(fd)
            self.send(("failed", run_id, "the run request came without its three standard streams"))
            return
        if not self.spares:
            self.fork_spare()
        pid, spare = self.spares.pop(0)
        self.last_event = time.monotonic()
        try:
            socket.send_fds(spare, [marshal.dumps(request)], fds)
        except OSError as error:
            self.send(("failed", run_id, "the forked child is gone: %s" % error))
            spare.close()
            for fd in fds:
                os.close(fd)
            return
        self.runs[pid] = (run_id, spare, False)
        self.send(("started", run_id, pid))
        # The spare's socket stays open: the run reports its end on it.
        spare.setblocking(False)
        self.reports[spare.fileno()] = pid
        self.poller.register(spare.fileno(), select.POLLIN)
        for fd in fds:
            os.close(fd)
        if not self.spares:
            # Runs are arriving back to back: the next one must not wait for a fork.
            self.fork_spare()

    def fork_spare(self):
        parent_end, child_end = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            parent_end.close()
            self.become_spare(child_end)
            # ``become_spare`` returns only when the zygote went away before sending a request.
            os._exit(0)
        child_end.close()
        self.spares.append((pid, parent_end))

    def shutdown(self):
        for _, spare in self.spares:
            spare.close()  # the spare sees end of file and exits
        self.spares = []

    # -- in the child --------------------------------------------------------------------------------------------

    def become_spare(self, requests):
        os.setsid()
        if self.prctl is not None:
            self.prctl()
        if os.getppid() != self.pid:
            os._exit(1)
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGCHLD,):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # The zygote's own descriptors are not the run's.
        for fd in (self.wakeup_read, self.wakeup_write):
            os.close(fd)
        os.close(self.channel.detach())
        for fd in self.fds:
            os.close(fd)
        for pid, (_, report, _) in self.runs.items():
            if report is not None:
                os.close(report.detach())
        for _, other in self.spares:
            os.close(other.detach())
        try:
            prepare_spare()
            data, fds, _, _ = socket.recv_fds(requests, 1 << 22, _MAX_FDS)
            if not data:
                return
            while True:  # the request may arrive in pieces; the descriptors came with its first byte
                try:
                    request = marshal.loads(data)
                    break
                except (EOFError, ValueError):
                    more = requests.recv(1 << 22)
                    if not more:
                        return
                    data += more
        except KeyboardInterrupt:  # an interrupt meant for the run came before the run: it ends as python3 would
            os._exit(128 + signal.SIGINT)
        become_script(request, fds, requests.detach(), self.startup_modules)


def _parent_death_setter():
    """A function that makes the calling process receive SIGKILL when its parent dies (Linux), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (ImportError, OSError, AttributeError):  # pragma: no cover
        return None
    return lambda: prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


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


def _rehearse():
    null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
    try:
        for role in (0, 1, 2):
            make_stdio(null, role != 0, "utf-8", "strict", True, role)
    finally:
        os.close(null)
    replace_environment(environment_from([key + b"=" + value for key, value in os.environb.items()]))
    time.tzset()
    # The script path of ``run_main`` with /dev/null as the script; the interpreter state it sets is put back.
    saved_argv, saved_orig = sys.argv[:], getattr(sys, "orig_argv", None)
    saved_path0 = sys.path[0] if sys.path else None
    saved_main = sys.modules.get("__main__")
    try:
        run_main("script", os.devnull, [os.devnull], os.getcwd())
        _clear_namespace(vars(sys.modules["__main__"]))
    finally:
        sys.argv[:] = saved_argv
        if saved_orig is not None:
            sys.orig_argv = saved_orig
        if saved_path0 is not None:
            sys.path[0] = saved_path0
        if saved_main is not None:
            sys.modules["__main__"] = saved_main
    gc.collect()


def replace_environment(environment):
    """Makes ``os.environ`` (and the C environment) hold exactly ``environment``, a dict of bytes."""
    environ = os.environb
    current = getattr(environ, "_data", None)
    if not isinstance(current, dict):  # pragma: no cover - another os module layout
        current = dict(environ)
    for key in [key for key in current if key not in environment]:
        del environ[key]
    for key, value in environment.items():
        if current.get(key) != value:
            environ[key] = value


def become_script(request, fds, report_fd, startup_modules):
    """Turns this forked child into the run the request describes and runs it; never returns normally.

    ``report_fd`` is the socket to the zygote on which the run announces its end; ``startup_modules`` are the
    names in ``sys.modules`` before the run (computed once in the zygote: iterating them here would write to
    every page they share with it).
    """
    for target, fd in enumerate(fds):
        if fd != target:
            os.dup2(fd, target)
            os.close(fd)
    cwd = os.fsdecode(request["cwd"])
    environment = environment_from(request["env"])
    os.umask(request["umask"])
    replace_environment(environment)
    time.tzset()
    try:
        os.chdir(cwd)
    except OSError as error:
        os.write(2, ("%s: cannot enter the working directory %r: %s\n"
                     % (sys.executable, cwd, error.strerror)).encode())
        os._exit(2)
    tempfile = sys.modules.get("tempfile")
    if tempfile is not None:
        tempfile.tempdir = None  # computed from TMPDIR, which is the caller's now
    _install_stdio(environment)

    # Leave no trace of the bootstrap: the jinn finder and modules are not the script's.
    sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__module__ != "jinn._importer"]
    for name in JINN_MODULES:
        sys.modules.pop(name, None)
    sys.excepthook = sys.__excepthook__  # the bootstrap's hook hides frames a script's traceback must show
    kind, target = request["entry"]
    arguments = [os.fsdecode(argument) for argument in request["argv"]]
    status, interrupted = 0, False
    try:
        run_main(kind, os.fsdecode(target), arguments, cwd)
    except SystemExit as exit:
        status = system_exit_status(exit)
    except BaseException as error:
        print_uncaught(error)
        status, interrupted = 1, isinstance(error, KeyboardInterrupt)
    status = finish(status, startup_modules)
    # Everything the run holds is closed before it announces its end (locks, pipes), as if it had exited.
    os.closerange(0, report_fd)
    os.closerange(report_fd + 1, 1 << 20)
    try:
        os.write(report_fd, bytes((1, signal.SIGINT) if interrupted else (0, status)))
    except OSError:
        pass
    if interrupted:
        # As python3 does after an uncaught KeyboardInterrupt: die of SIGINT, so the shell sees it.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        status = 128 + signal.SIGINT
    os._exit(status)


# -- How the run ends ------------------------------------------------------------------------------------------
#
# A forked child must not tear the interpreter down: finalization touches every object the zygote holds (a
# reference count is a write), which copies each page the fork shared and costs tens of milliseconds for a
# zygote holding numpy and scipy. The child does what finalization does that a script can observe, in the same
# order, and then leaves with ``os._exit``: threads are joined, ``atexit`` runs, the standard streams are
# flushed (status 120 when that fails), and the objects the script made are released, so that files it left
# open are flushed and closed and ``__del__`` methods run.


def system_exit_status(exit):
    """The status for an uncaught ``SystemExit``, printing a non-integer code as the interpreter does."""
    code = exit.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(str(code) + "\n")
    except Exception:
        pass
    return 1


def print_uncaught(error):
    """Prints an uncaught exception through ``sys.excepthook`` without the zygote's frames."""
    tb = error.__traceback__
    for boundary in _BOUNDARIES:
        trimmed = trim_traceback(tb, boundary)
        if trimmed is not tb:
            tb = trimmed
            break
    # The interpreter prints the traceback the exception holds, not the one passed in.
    error.__traceback__ = tb
    sys.last_type, sys.last_value, sys.last_traceback = type(error), error, tb
    try:
        sys.excepthook(type(error), error, tb)
    except BaseException as hook_error:
        sys.stderr.write("Error in sys.excepthook:\n")
        sys.__excepthook__(type(hook_error), hook_error, hook_error.__traceback__)
        sys.stderr.write("\nOriginal exception was:\n")
        sys.__excepthook__(type(error), error, tb)


def finish(status, startup_modules):
    """Does what interpreter shutdown does that a script can see; returns the final exit status."""
    threading = sys.modules.get("threading")
    if threading is not None:
        try:
            threading._shutdown()
        except BaseException:
            pass
    try:
        import atexit

        atexit._run_exitfuncs()
    except BaseException:
        pass
    if not _flush_standard_streams(report=True):
        status = 120
    # Release what the script made, newest modules first and __main__ last, then collect the cycles.
    import gc as collector

    # Modules are kept in import order: the run's own are at the end.
    names = []
    for name in reversed(sys.modules):
        if name in startup_modules:
            break
        names.append(name)
    for name in names:
        module = sys.modules.get(name)
        if module is not None:
            _clear_namespace(vars(module))
    main = sys.modules.get("__main__")
    if main is not None and vars(main) is not globals():  # the script may have ended before it had a __main__
        _clear_namespace(vars(main))
    collector.collect()
    _flush_standard_streams(report=False)
    return status


def _clear_namespace(namespace):
    # Like the interpreter: names with a leading underscore go first, __builtins__ stays until the end.
    try:
        for name in [name for name in namespace if name.startswith("_") and name != "__builtins__"]:
            namespace[name] = None
        for name in [name for name in namespace if not name.startswith("_")]:
            namespace[name] = None
    except BaseException:
        pass


def _flush_standard_streams(report):
    ok = True
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        try:
            if stream is None or getattr(stream, "closed", False):
                continue
            stream.flush()
        except BaseException as error:
            ok = False
            if report and name == "stdout":
                import types

                sys.unraisablehook(types.SimpleNamespace(exc_type=type(error), exc_value=error,
                                                         exc_traceback=None, err_msg=None, object=stream))
    return ok


def run_main(kind, target, argv, cwd):
    """Runs the entry point as ``python3`` runs it. Exceptions propagate: the interpreter reports them."""
    import importlib.machinery

    safe_path = getattr(sys.flags, "safe_path", False)
    if kind == "code":
        sys.argv[:] = ["-c"] + argv[1:]
        sys.orig_argv = [sys.executable, "-c", target] + argv[1:]
        if not safe_path:
            _set_path0("")
        module = main_module(loader=importlib.machinery.BuiltinImporter)
        sys.modules["__main__"] = module
        _exec_main(target, "<string>", module.__dict__)
    elif kind == "module":
        import runpy

        sys.argv[:] = ["-m"] + argv[1:]
        sys.orig_argv = [sys.executable, "-m", target] + argv[1:]
        if not safe_path:
            _set_path0(cwd)
        sys.modules["__main__"] = main_module(loader=importlib.machinery.BuiltinImporter)
        _run_module_main(runpy, target, True)
    else:
        sys.argv[:] = argv
        sys.orig_argv = [sys.executable] + argv
        path = absolute_path(target, cwd)
        if os.path.isdir(path) or _is_zip(path):
            import runpy

            _set_path0(path)
            sys.modules["__main__"] = main_module(loader=importlib.machinery.BuiltinImporter)
            _run_module_main(runpy, "__main__", False)
            return
        try:
            with open(path, "rb") as file:
                source = file.read()
        except OSError as error:
            sys.stderr.write("%s: can't open file %r: [Errno %d] %s\n"
                             % (sys.executable, path, error.errno, error.strerror))
            sys.stderr.flush()
            raise SystemExit(2)
        if not safe_path:
            _set_path0(os.path.dirname(os.path.realpath(path)))
        module = main_module(loader=importlib.machinery.SourceFileLoader("__main__", path), file=path)
        sys.modules["__main__"] = module
        _exec_main(source, path, module.__dict__)


def _exec_main(source, filename, namespace):
    # Compiled here, below the traceback boundary: a SyntaxError shows no zygote frame, as under python3.
    exec(compile(source, filename, "exec", dont_inherit=True), namespace)


def _run_module_main(runpy, name, alter_argv):
    runpy._run_module_as_main(name, alter_argv)


_BOUNDARIES = (_exec_main.__code__, _run_module_main.__code__)


def _set_path0(entry):
    if sys.path:
        sys.path[0] = entry
    else:
        sys.path.append(entry)


def _is_zip(path):
    try:
        with open(path, "rb") as file:
            file.seek(0, 2)
            size = file.tell()
            file.seek(max(0, size - 65558))
            return b"PK\x05\x06" in file.read()
    except OSError:
        return False


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


def _install_stdio(environment):
    buffered = not environment.get(b"PYTHONUNBUFFERED")
    streams = []
    for fd, old in enumerate((sys.__stdin__, sys.__stdout__, sys.__stderr__)):
        encoding = getattr(old, "encoding", None) or "utf-8"
        errors = getattr(old, "errors", None) or ("backslashreplace" if fd == 2 else "strict")
        try:
            os.fstat(fd)
        except OSError:
            streams.append(None)
            continue
        streams.append(make_stdio(fd, fd != 0, encoding, errors, buffered))
    _KEEP.extend((sys.stdin, sys.stdout, sys.stderr))
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams


# The zygote's own standard streams stay referenced so that their finalizers never run in a child.
_KEEP = []

# The bootstrap's modules, which a run must not see (set when the zygote is ready).
JINN_MODULES = []


# ---------------------------------------------------------------------------------------------------------------


def main():
    values = jinn.values
    loaded, failed = preload(values.get("preload", []), sys.stderr)
    zygote = Zygote()
    facts = {
        "pid": os.getpid(),
        "executable": sys.executable,
        "version": "%d.%d.%d" % sys.version_info[:3],
        "preloaded": loaded,
        "failed": failed,
        "watch": watched_files(loaded),
    }
    zygote.send(("ready", facts))
    # Taken last, when everything the zygote itself imports (jinn.send's helpers too) is loaded.
    zygote.startup_modules = frozenset(sys.modules)
    global JINN_MODULES
    JINN_MODULES = [name for name in sys.modules if name == "jinn" or name.startswith("jinn.")]
    gc.collect()
    if hasattr(gc, "freeze"):
        gc.freeze()
    zygote.serve()


if __name__ == "__main__":
    main()
