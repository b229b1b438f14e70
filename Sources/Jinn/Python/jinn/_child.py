"""A zygote's child becomes the run: its set-up from the caller's request, the run, and its end.

Given a run request, the child installs the caller's descriptors at their numbers (``jinn._descriptors``), takes on
the caller's signal dispositions, signal mask, niceness, affinity and limits (``jinn._process_state``), sets the
umask, replaces ``os.environ``, enters the working directory, rebuilds ``sys.stdin``/``sys.stdout``/
``sys.stderr`` as the interpreter builds them at start-up, hides the bootstrap, and sets up the entry point as
``python3`` does (``jinn._runner``), whose program then runs at the bottom of the stack (``jinn._bottom``). It
ends as a ``python3`` process ends (``jinn._ending``), announces its status to its client (the status pipe) and to
the zygote and exits, or dies of SIGINT after an uncaught ``KeyboardInterrupt``.

The signals are set once, when the spare is forked (:func:`reset_signals`): the zygote's handlers are not a run's.
"""

import os
import signal
import sys
import time

from jinn import (_cmdline, _descriptors, _environment, _interactive, _modules, _options, _pages, _process_state,
                  _runner)
from jinn._bottom import Unwinding
from jinn._ending import (exit_calls, finish, library_imports, print_uncaught, report_exit_failure,
                          system_exit_status)
from jinn._environment import environment_from, replace_environment  # noqa: F401 (jinn._spare's)
from jinn._runner import Entry, flush_io, prepare_entry

_runner.INTERACTIVE = _interactive.session  # a run whose script comes from a terminal is python3's interactive loop
_runner.UNWINDING = Unwinding


def become_script(request, fds, report_fd, startup_modules, bootstrap_modules, zygote_namespace):
    """Turns this forked child into the run the request describes; returns the run's program (a
    ``jinn._runner.Entry``) and its end, to be run at the bottom of the stack (``jinn._bottom``).

    ``fds`` maps numbers to the descriptors that came with the request (see :func:`jinn._descriptors.install`).
    ``report_fd`` is the socket to the zygote on which the run announces its end. ``startup_modules`` are the
    names in ``sys.modules`` before the run and ``bootstrap_modules`` the bootstrap's among them, computed once in
    the zygote: iterating ``sys.modules`` here would write to every page it shares with the zygote.
    ``zygote_namespace`` is the namespace of the zygote's own code (see :func:`jinn._ending.finish`).
    """
    state = request.get("state")
    roles, report_fd = _descriptors.install(fds, report_fd, _process_state.descriptor_limit(state))
    _process_state.apply(state)
    cwd = os.fsdecode(request["cwd"])
    environment = environment_from(request["env"])
    os.umask(request["umask"])
    _environment.apply(environment, cwd)
    time.tzset()
    _enter_working_directory(roles, cwd)
    tempfile = _modules.loaded("tempfile")
    if tempfile is not None:
        tempfile.tempdir = None  # computed from TMPDIR, which is the caller's now
    _install_stdio(environment, _options.unbuffered(request, environment))

    # Leave no trace of the bootstrap: the jinn finder and modules are not the script's.
    sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__module__ != "jinn._importer"]
    for name in bootstrap_modules:
        sys.modules.pop(name, None)
    sys.excepthook = sys.__excepthook__  # the bootstrap's hook hides frames a script's traceback must show
    kind, target = request["entry"]
    target, argv = os.fsdecode(target), [os.fsdecode(argument) for argument in request["argv"]]
    orig_argv = _options.command_line(request)
    _cmdline.set_command_line(orig_argv or python3_arguments(kind, target, argv))
    # A script, -c or -m code, which -i (or PYTHONINSPECT) follows with the interactive interpreter.
    runs_code = not (kind == "script" and target == "-")
    try:
        if runs_code:
            _interactive.imports_readline()
        entry = prepare_entry(kind, target, argv, cwd, orig_argv=orig_argv,
                              skip_first_line=_options.skips_first_line(request))
    except BaseException as error:  # what python3 refuses before the program starts
        failure, flushes = error, False
    else:
        failure, flushes = None, entry.flushes
    context = (os.getpid(), request, report_fd, roles, startup_modules, zygote_namespace, runs_code, flushes)
    if failure is not None:
        return end(failure, *context)  # or ends the process
    return entry, lambda outcome: end(outcome, *context)


def end(outcome, *context):
    """Ends the run once its program has run (``outcome`` is None, or the exception that left it) as a
    ``python3`` process ends, or returns what runs next at the bottom of the stack and its end
    (``jinn._bottom``): the interactive session ``-i`` opens, the calls of the shutdown (:func:`leave`). A process
    the program forked ends here too: ``context[0]`` is the run's pid."""
    run_pid, request, report_fd, roles, startup_modules, zygote_namespace, runs_code, flushes = context
    if flushes:
        flush_io()
    status, interrupted, exited = 0, False, False
    if isinstance(outcome, SystemExit):
        if runs_code and sys.flags.inspect:
            print_uncaught(outcome)  # python3 -i shows it and stays
        else:
            status, exited = system_exit_status(outcome), True
    elif outcome is not None:
        print_uncaught(outcome)
        status, interrupted = 1, isinstance(outcome, KeyboardInterrupt)
    outcome = None
    if runs_code and not exited and _interactive.inspects():
        # python3 -i goes on into its interactive loop, which runs at the bottom of the stack too.
        loop, session_status = _interactive.inspection()
        return Entry(loop), lambda outcome: leave(session_status(), False, *context)
    return leave(status, interrupted, *context)


def leave(status, interrupted, *context):
    """Shuts down as python3 does, tells the zygote and the client how the run ended, and exits; or first returns
    the next of ``Py_FinalizeEx``'s calls into the program's code (``jinn._ending.exit_calls``) and its end, to be
    run at the bottom of the stack (``jinn._bottom``) as the interpreter calls it."""
    return _next_exit_call(exit_calls(), status, interrupted, context)


def _next_exit_call(calls, status, interrupted, context):
    if not calls:
        _shut_down(status, interrupted, *context)
    call, owner = calls.pop(0)

    def after(outcome):
        if outcome is not None:
            report_exit_failure(outcome, owner)
        return _next_exit_call(calls, status, interrupted, context)

    return Entry(call), after


def _shut_down(status, interrupted, run_pid, request, report_fd, roles, startup_modules, zygote_namespace, *_):
    imports = library_imports(startup_modules)  # before finish releases the modules' names
    status = finish(status, startup_modules, zygote_namespace)
    # A process the script forked (os.fork) that ends here is not the run: it leaves without a word.
    if os.getpid() == run_pid:
        # Everything the run holds is closed before it announces its end (locks, pipes), as if it had exited.
        _descriptors.close_all_but(report_fd, roles)
        # The client's status first, then the rest only on time no one else wants, so that the client, which
        # the status woke, and the next run come first: the zygote's report (the run's imports, and then the page
        # report of a run that learns), and the exit itself, which tears down an address space the size of the
        # zygote's (about a millisecond with numpy).
        _descriptors.write_status(roles, interrupted, status)
        _pages.yield_processor()
        try:
            learns = request.get("learn_pages") is True
            os.write(report_fd, bytes((1, signal.SIGINT) if interrupted else (0, status)) + imports
                     + (b"\n" if learns else b""))
        except OSError:
            learns = False
        if learns:
            # The pages this run wrote, for the runs-to-be that come after it.
            try:
                os.write(report_fd, _pages.encode(_pages.owned_pages(limit=_pages.MAX_RANGES)))
            except OSError:
                pass
    if interrupted:
        # As python3 does after an uncaught KeyboardInterrupt: die of SIGINT, so the shell sees it.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        status = 128 + signal.SIGINT
    os._exit(status)


def _enter_working_directory(roles, cwd):
    """Enters the caller's working directory: by its descriptor when it came with one, so that a directory deleted
    or unreadable meanwhile is entered all the same, as the exec'd interpreter would simply be in it."""
    fd = roles.pop(_descriptors.WORKING_DIRECTORY, None)
    try:
        if fd is None:
            os.chdir(cwd)
        else:
            os.fchdir(fd)
    except OSError as error:
        try:
            os.write(2, ("%s: cannot enter the working directory %r: %s\n"
                         % (sys.executable, cwd, error.strerror)).encode())
        except OSError:  # no standard error
            pass
        os._exit(2)
    finally:
        if fd is not None:
            os.close(fd)


def python3_arguments(kind, target, argv):
    """The command line of ``python3`` running this entry point: ``sys.orig_argv`` as python3 would set it."""
    if kind == "script":
        return [sys.executable] + argv
    return [sys.executable, "-c" if kind == "code" else "-m", target] + argv[1:]


def reset_signals():
    """Gives a forked child the signal handling of a fresh interpreter: the zygote's wake-up descriptor and its
    SIGCHLD handler go, and SIGINT, which the zygote ignores, raises KeyboardInterrupt again."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)



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


def _install_stdio(environment, unbuffered):
    import stat

    try:
        stdin_is_directory = stat.S_ISDIR(os.fstat(0).st_mode)
    except OSError:
        stdin_is_directory = False
    if stdin_is_directory:
        # What the interpreter's start-up does with a directory as standard input.
        os.write(2, b"Fatal Python error: init_sys_streams: <stdin> is a directory, cannot continue\n")
        os._exit(1)
    buffered = not unbuffered
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
