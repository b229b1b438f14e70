"""Runs a program's entry point the way the ``python`` command runs a script, ``-c`` code or ``-m`` module."""

import os
import sys

import jinn
from jinn import _channel, _errors, _importer
from jinn._importer import CHANNEL_FD


def run(program, finder):
    """Connects the channel, publishes the program's values and runs its entry point as ``__main__``.

    An uncaught exception is reported to the Swift side and then propagates, so that the interpreter prints it
    and exits as it always does (status 1, or death by SIGINT for KeyboardInterrupt).
    """
    channel = _channel.Channel(CHANNEL_FD, program.get("maximum_message_size", _channel.DEFAULT_MAXIMUM_SIZE),
                               on_close=_parent_gone, write_fd=program.get("channel_out", CHANNEL_FD),
                               shared=program.get("shared_memory"), busy_poll=program.get("busy_poll", 0.0))
    jinn._connect(channel, program.get("values", {}))
    if program.get("listen", True):
        channel.start()
    if _importer.MAGIC is not None:
        finder.report_compiled(lambda entries: channel.send(("code", _importer.MAGIC, entries)))
    sys.argv[:] = program["argv"]
    _errors.install_excepthook()
    kind, target = program["entry"]
    _replace_first_stage_lines(target if kind == "code" else None)
    try:
        if kind == "module":
            run_module(target)
        elif kind == "script":
            run_script(target)
        else:
            run_code(target)
    except SystemExit:
        raise
    except BaseException as error:
        try:
            channel.send(("exception", _errors.describe(error)))
        except Exception:
            pass
        raise


def _replace_first_stage_lines(source):
    # Since Python 3.13 the interpreter keeps the lines of its -c code, which is the first stage here, for the
    # tracebacks of "<string>" frames. Those lines are the program's -c code, as under python3 -c, or none.
    linecache = sys.modules.get("linecache")
    if linecache is None or "<string>" not in linecache.cache:
        return
    if source is None:
        del linecache.cache["<string>"]
    else:
        linecache.cache["<string>"] = (len(source), None, source.splitlines(True), "<string>")


def _parent_gone(error):
    # The Swift side closed its end: it exited or died. A program must never outlive its host.
    os._exit(1)


def _fresh_main():
    main = type(sys)("__main__")
    main.__builtins__ = __builtins__
    sys.modules["__main__"] = main
    return main


def run_module(name):
    """Runs a module (or a package's ``__main__``) as ``python -m`` does; the program's modules come first."""
    import runpy

    _fresh_main()
    if sys.path and sys.path[0] == "":
        sys.path[0] = os.getcwd()
    runpy._run_module_as_main(name, alter_argv=False)


def run_script(path):
    """Runs a file as ``python path`` does: ``__file__`` and tracebacks name it by its absolute path."""
    main = _fresh_main()
    absolute = os.path.abspath(path)
    sys.path[0] = os.path.dirname(absolute)
    try:
        with open(path, "rb") as file:
            source = file.read()
    except OSError as error:
        sys.stderr.write("%s: can't open file %r: [Errno %d] %s\n"
                         % (os.path.basename(sys.executable), path, error.errno, error.strerror))
        sys.stderr.flush()
        os._exit(2)
    main.__file__ = absolute
    main.__cached__ = None
    main.__spec__ = None
    exec(compile(source, absolute, "exec", dont_inherit=True), main.__dict__)


def run_code(source):
    """Runs source text as ``python -c`` does."""
    main = _fresh_main()
    main.__spec__ = None
    exec(compile(source, "<string>", "exec", dont_inherit=True), main.__dict__)
