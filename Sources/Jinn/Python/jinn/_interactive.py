"""The interactive interpreter of a run: a bare ``jinn`` or ``jinn -`` from a terminal (or under ``-i``), and the
session ``-i`` (or ``PYTHONINSPECT``) opens once a script, ``-c`` or ``-m`` has run.

Both are CPython's own loop on the C ``stdin`` (descriptor 0, the caller's terminal), preceded by what python3's
start-up does before it: for a bare run (``pymain_run_stdin``) the banner on stderr unless ``-q``, ``readline``
imported unless ``-I``, the ``PYTHONSTARTUP`` file and ``sys.__interactivehook__``; after a script
(``pymain_repl``) the hook only. The loop is the interpreter's, so the prompts, readline editing and history,
tracebacks, ``sys.displayhook`` and Ctrl-C are python3's, and it runs with no frame of Jinn's below it
(``jinn._bottom``). At end of file the run ends as any run does; ``exit()`` ends the process the way python3's
interactive interpreter ends it (``Py_Exit``, CPython's own finalization), which a zygote started with ``-i``
would not do by itself (its interpreter keeps ``inspect`` set): :func:`_exiting_hook` does it in that case.
"""

import os
import sys

from jinn import _modules
from jinn._ending import system_exit_status

# python3's second banner line (COPYRIGHT in Modules/main.c), shown when site is imported.
_HELP_LINE = 'Type "help", "copyright", "credits" or "license" for more information.'


def session(main):
    """Sets up python3's interactive interpreter in ``main`` (the run's fresh ``__main__``); returns the program
    that runs it until end of file: the interpreter's own loop, called with no frame of Jinn's below its own."""
    if not sys.flags.quiet:
        banner = "Python %s on %s\n" % (sys.version, sys.platform)
        if not sys.flags.no_site:
            banner += _HELP_LINE + "\n"
        os.write(2, banner.encode(sys.stderr.encoding or "utf-8", "backslashreplace"))
    if not sys.flags.isolated:
        try:
            import readline  # noqa: F401 - python3 imports it before the loop, so input() edits lines too
        except ImportError:
            pass
    run_startup_file(main)
    run_interactive_hook()
    _exit_on_system_exit()
    return _loop("PyRun_InteractiveLoopFlags")


def inspects():
    """Whether a run whose script, ``-c`` or ``-m`` code has ended goes on into the interactive interpreter, as
    python3's ``pymain_repl`` decides: under ``-i``, or with ``PYTHONINSPECT`` set by then (the program may have set
    it) unless the environment is ignored; and with standard input a terminal, or ``-i`` given."""
    inspect = sys.flags.inspect or (not sys.flags.ignore_environment and os.environ.get("PYTHONINSPECT"))
    return bool(inspect) and (sys.flags.interactive or os.isatty(0))


def inspection():
    """The session ``-i`` opens after a script, in ``__main__``: runs ``sys.__interactivehook__`` and returns the
    program that runs the interpreter's loop on standard input (``PyRun_AnyFileFlags``), with a function that
    gives the run's status once it has run: 0 at end of input, as python3's."""
    run_interactive_hook()
    _exit_on_system_exit()
    loop, results = _loop("PyRun_AnyFileFlags"), []

    def record(result, function, arguments):
        results.append(result)
        return result

    loop.errcheck = record
    return loop, lambda: 1 if results and results[0] else 0


def imports_readline():
    """Imports ``readline`` before a script runs under ``-i`` from a terminal, as python3's start-up does (its
    ``pymain_import_readline``), so that the script finds it loaded too."""
    if sys.flags.inspect and not sys.flags.isolated and os.isatty(0):
        try:
            import readline  # noqa: F401
        except ImportError:
            pass


def _loop(name):
    """The interpreter's loop ``name`` (``PyRun_InteractiveLoopFlags`` or ``PyRun_AnyFileFlags``) on the C
    ``stdin``, as a function called without arguments (its arguments are its parameters' defaults)."""
    ctypes = _ctypes()
    libc = ctypes.CDLL(None)
    stdin = ctypes.c_void_p.in_dll(libc, "stdin")
    libc.clearerr(stdin)
    prototype = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p)
    defaults = ((1, "fp", stdin.value), (1, "filename", b"<stdin>"), (1, "flags", None))
    return prototype((name, ctypes.pythonapi), defaults)


def _ctypes():
    ctypes = _modules.loaded("ctypes")
    if ctypes is None:  # pragma: no cover - a zygote always has it (jinn._cmdline)
        import ctypes
    return ctypes


def _exit_on_system_exit():
    # An interpreter started with -i keeps inspect set, so its loop would not end on exit(): the hook ends it.
    if sys.flags.inspect:
        ctypes = _ctypes()
        exit = ctypes.pythonapi.Py_Exit
        exit.argtypes = (ctypes.c_int,)
        sys.excepthook = _exiting_hook(sys.excepthook, exit)


def _exiting_hook(hook, exit):
    """``hook`` (``sys.excepthook``) for the loop of an interpreter started with ``-i``: its ``SystemExit`` (``exit()``
    typed in the session) ends the process as python3's session does once it has cleared ``inspect``."""

    def excepthook(kind, value, traceback):
        if isinstance(value, SystemExit):
            exit(system_exit_status(value))
        hook(kind, value, traceback)

    return excepthook


def run_startup_file(main):
    """Runs the ``PYTHONSTARTUP`` file in ``__main__``, as python3 does before an interactive session (not under
    ``-E``/``-I``); its exceptions are printed and the session goes on."""
    if sys.flags.ignore_environment:
        return
    path = os.environ.get("PYTHONSTARTUP")
    if not path:
        return
    try:
        with open(path, "rb") as file:
            source = file.read()
    except OSError as error:
        sys.stderr.write("Could not open PYTHONSTARTUP\n")
        sys.excepthook(type(error), error, None)
        return
    namespace = main.__dict__
    namespace["__file__"] = path
    try:
        exec(compile(source, path, "exec", dont_inherit=True), namespace)
    except SystemExit:
        raise
    except BaseException as error:
        sys.excepthook(type(error), error, error.__traceback__.tb_next)
    finally:
        namespace.pop("__file__", None)


def run_interactive_hook():
    """Calls ``sys.__interactivehook__`` (site's: readline's completion and history file), as python3 does."""
    hook = getattr(sys, "__interactivehook__", None)
    if hook is None:
        return
    try:
        hook()
    except BaseException as error:
        sys.stderr.write("Failed calling sys.__interactivehook__\n")
        sys.excepthook(type(error), error, error.__traceback__.tb_next)
