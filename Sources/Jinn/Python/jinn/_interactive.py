"""The interactive interpreter of a run whose script comes from a terminal (a bare ``jinn``, ``jinn -``): CPython's
own loop, ``PyRun_InteractiveLoopFlags``, on the C ``stdin`` (descriptor 0, the caller's terminal), preceded by
what python3's start-up does before it (``pymain_run_python`` and ``pymain_run_stdin``): the banner on stderr
unless ``-q``, ``readline`` imported unless ``-I``, the ``PYTHONSTARTUP`` file, ``sys.__interactivehook__``.

The loop is the interpreter's, so the prompts, readline editing and history, tracebacks, ``sys.displayhook`` and
Ctrl-C are python3's. End of file returns here and the run ends as any run does; ``exit()`` ends the process the way
python3's interactive interpreter ends it (``Py_Exit``, CPython's own finalization).
"""

import os
import sys

from jinn import _modules

# python3's second banner line (COPYRIGHT in Modules/main.c), shown when site is imported.
_HELP_LINE = 'Type "help", "copyright", "credits" or "license" for more information.'


def serve(main):
    """Runs python3's interactive interpreter in ``main`` (the run's fresh ``__main__``) until end of file."""
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
    ctypes = _modules.loaded("ctypes")
    if ctypes is None:  # pragma: no cover - a zygote always has it (jinn._cmdline)
        import ctypes
    libc = ctypes.CDLL(None)
    stdin = ctypes.c_void_p.in_dll(libc, "stdin")
    libc.clearerr(stdin)
    loop = ctypes.pythonapi.PyRun_InteractiveLoopFlags
    loop.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p)
    loop.restype = ctypes.c_int
    loop(stdin, b"<stdin>", None)


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
