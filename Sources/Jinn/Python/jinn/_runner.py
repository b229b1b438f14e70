"""Runs an entry point the way the ``python3`` command runs it: a script file, a directory or zip file that holds a
``__main__.py``, ``-c`` code or a ``-m`` module.

:func:`prepare_entry` is the one implementation of it: it sets what the interpreter's start-up sets for the entry
point (``sys.argv``, ``sys.orig_argv``, ``sys.path[0]``, a fresh ``__main__``) and gives the program to run. The
in-memory bootstrap runs it below its own frames through :func:`run` and :func:`run_entry` (``jinn exec PATH``,
``PythonProgram.script``, every program held in memory), letting the program's exceptions propagate for the caller
to report as the interpreter does; the zygote's child (``jinn x.py``) runs it at the bottom of the stack, as
python3 does (``jinn._bottom``).

Both callers are interpreters started with ``-c`` (the bootstrap's first stage), whose start-up put ``""`` in
``sys.path[0]`` unless the path is safe (``-P``, ``-I``); that entry is the one an entry point replaces.
"""

import importlib.machinery  # here, not in run_entry: a run must not import it again (jinn._modules)
import os
import sys

import jinn
from jinn import _channel, _errors, _importer
from jinn._importer import CHANNEL_FD

# Whether the interpreter's start-up leaves the program's directory out of sys.path (-P, -I; 3.9 and 3.10 know
# only -I).
_SAFE_PATH = bool(getattr(sys.flags, "safe_path", sys.flags.isolated))
_HAS_ORIG_ARGV = hasattr(sys, "orig_argv")  # Python 3.10 and later
_KEEPS_CODE_LINES = sys.version_info >= (3, 13)  # python3 -c keeps its code's lines for tracebacks
_END_OF_ZIP = b"PK\x05\x06"
# Gives the program of python3's interactive interpreter for a script from a terminal (jinn._interactive.session,
# set by the zygote's runs); None reads a terminal like any other standard input.
INTERACTIVE = None
# The exception a zygote's child leaves every frame with (jinn._bottom.Unwinding, set by the zygote's runs).
UNWINDING = None
_ZIP_TAIL = 65536 + 22  # the end-of-archive record and the longest comment after it


def run(program, finder):
    """Connects the channel, publishes the program's values and runs its entry point as ``__main__``.

    An uncaught exception is reported to the Swift side and then propagates, so that the interpreter prints it
    and exits as it always does (status 1, or death by SIGINT for KeyboardInterrupt).
    """
    channel = _channel.Channel(CHANNEL_FD, program.get("maximum_message_size", _channel.DEFAULT_MAXIMUM_SIZE),
                               on_close=_parent_gone, write_fd=program.get("channel_out", CHANNEL_FD),
                               shared=program.get("shared_memory"), busy_poll=program.get("busy_poll", 0.0))
    jinn._connect(channel, program.get("values", {}))
    jinn._descriptor_socket = program.get("descriptor_socket")
    if program.get("listen", True):
        channel.start()
    if _importer.MAGIC is not None:
        # The kinds are literals here: importing jinn._protocol would cost every start a module.
        finder.report_compiled(lambda entries: channel.send(("code", _importer.MAGIC, entries)))  # CODE
    _errors.install_excepthook()
    _errors.install_thread_excepthook()
    kind, target = program["entry"]
    if kind != "code":
        _forget_first_stage_lines()
    try:
        # A directory held in memory runs as `python3 DIR` does, with DIR in sys.path[0] (path0).
        run_entry(kind, target, program["argv"], os.getcwd(), program.get("path0"))
    except SystemExit:
        raise
    except BaseException as error:
        if UNWINDING is not None and isinstance(error, UNWINDING):
            raise  # a zygote's child on its way to its run (jinn._bottom): nothing went wrong
        try:
            channel.send(("exception", _errors.describe(error)))  # EXCEPTION
        except Exception:
            pass
        raise


def _forget_first_stage_lines():
    # Since Python 3.13 the interpreter keeps the lines of its -c code, which is the first stage here, for the
    # tracebacks of "<string>" frames: a program that is not -c code has none.
    linecache = sys.modules.get("linecache")
    if linecache is not None:
        linecache.cache.pop("<string>", None)


def _parent_gone(error):
    # The Swift side closed its end: it exited or died. A program must never outlive its host.
    os._exit(1)


# -- The entry point ---------------------------------------------------------------------------------------------


class Entry:
    """An entry point set up to run (:func:`prepare_entry`).

    ``program`` runs it: a callable without arguments that adds no frame of its own below the program's, as the
    interpreter's C code calls a script (``jinn._bottom``). ``flushes`` says whether the interpreter flushes the
    standard streams once it has run, before it prints the program's exception (a script file, standard input);
    ``path_main`` whether it is the ``__main__`` of a directory or zip file, whose runpy frames python3 shows.
    """

    __slots__ = ("program", "flushes", "path_main")

    def __init__(self, program, flushes=False, path_main=False):
        self.program = program
        self.flushes = flushes
        self.path_main = path_main


def run_entry(kind, target, argv, cwd, path0=None, orig_argv=None, skip_first_line=False):
    """Runs ``python3 target``, ``python3 -c target`` or ``python3 -m target`` in this interpreter (see
    :func:`prepare_entry`), below the caller's frames. The program's exceptions propagate."""
    entry = prepare_entry(kind, target, argv, cwd, path0, orig_argv, skip_first_line)
    try:
        (_run_path_main if entry.path_main else _run_main)(entry.program)
    finally:
        if entry.flushes:
            flush_io()


def prepare_entry(kind, target, argv, cwd, path0=None, orig_argv=None, skip_first_line=False):
    """Sets up ``python3 target``, ``python3 -c target`` or ``python3 -m target`` (``kind`` ``"script"``,
    ``"code"`` or ``"module"``) in this interpreter, as the interpreter's start-up would have from ``cwd`` (empty
    for a working directory that has no name any more, deleted while the caller was in it); returns its
    :class:`Entry`.

    ``path0`` replaces ``cwd`` in ``sys.path[0]`` for a module, as python3 puts a directory there for its
    ``__main__``. ``argv`` becomes ``sys.argv``; a module's ``"-m"`` in ``argv[0]`` becomes the module's file once it
    is found, as under python3 (any other ``argv[0]``, such as the name of a program held in memory, stays). A
    script path that is a directory or a zip file runs its ``__main__`` module, with the path in ``sys.path[0]``.
    The script ``-`` is read from standard input, as python3 reads it. ``orig_argv``, when given, is
    ``sys.orig_argv`` (python3's options included). ``skip_first_line`` is python3's ``-x``: a script file's first
    line is left out, its newline kept. What python3 refuses before the program starts raises here: a script that
    cannot be read (python3's message, then ``SystemExit(2)``), a ``SyntaxError``.
    """
    if kind == "code":
        sys.argv[:] = argv
        if _HAS_ORIG_ARGV:
            sys.orig_argv = orig_argv or [sys.executable, "-c", target] + argv[1:]
        if not _SAFE_PATH:
            _set_path0("")
        if _KEEPS_CODE_LINES:
            import linecache

            linecache.cache["<string>"] = (len(target), None, [line + "\n" for line in target.splitlines()],
                                           "<string>")
        module = main_module(loader=importlib.machinery.BuiltinImporter)
        sys.modules["__main__"] = module
        return Entry(_main_program(target, "<string>", module))
    if kind == "module":
        sys.argv[:] = argv
        if _HAS_ORIG_ARGV:
            sys.orig_argv = orig_argv or [sys.executable, "-m", target] + argv[1:]
        if not _SAFE_PATH:
            if cwd or path0 is not None:
                _set_path0(cwd if path0 is None else path0)
            elif sys.path:
                del sys.path[0]  # a working directory without a name (deleted): python3 puts nothing there
        sys.modules["__main__"] = main_module(loader=importlib.machinery.BuiltinImporter)
        return Entry(_module_program(target, argv[0] == "-m"))
    sys.argv[:] = argv
    if _HAS_ORIG_ARGV:
        sys.orig_argv = orig_argv or [sys.executable] + argv
    if target == "-":
        return _standard_input_entry()
    path = absolute_path(target, cwd)
    # As python3 does, the path's __main__ runs when an import path hook takes the path (a directory, a zip file),
    # and the answer is recorded in sys.path_importer_cache. The standard hooks take only directories and files
    # that end with a zip archive's end record, so a plain file is answered without asking them: their exceptions
    # would cost every run tens of microseconds.
    if (os.path.isdir(path) or _ends_like_zip(path)) and _path_importer(path) is not None:
        # Inserted even when the path is safe: the directory or archive is where __main__ comes from.
        if _SAFE_PATH:
            sys.path.insert(0, path)
        else:
            _set_path0(path)
        sys.modules["__main__"] = main_module(loader=importlib.machinery.BuiltinImporter)
        return Entry(_module_program("__main__", False), path_main=True)
    sys.path_importer_cache[path] = None
    try:
        with open(path, "rb") as file:
            source = file.read()
    except OSError as error:
        sys.stderr.write("%s: can't open file %r: [Errno %d] %s\n"
                         % (sys.executable, path, error.errno, error.strerror))
        sys.stderr.flush()
        raise SystemExit(2)
    if skip_first_line:
        end = source.find(b"\n")
        source = b"" if end < 0 else source[end:]
    if not _SAFE_PATH:
        # The directory of the file the path leads to, through every symbolic link, as python3 computes it.
        _set_path0(os.path.dirname(os.path.realpath(path)))
    module = main_module(loader=importlib.machinery.SourceFileLoader("__main__", path), file=path)
    sys.modules["__main__"] = module
    return _file_entry(source, path, module)


def _standard_input_entry():
    # python3 reads the whole script from descriptor 0 before it runs any of it, names it "<stdin>", and gives
    # __main__ a __file__ of that name.
    if not _SAFE_PATH:
        _set_path0("")
    if INTERACTIVE is not None and (os.isatty(0) or sys.flags.interactive):
        module = main_module(loader=importlib.machinery.BuiltinImporter)
        sys.modules["__main__"] = module
        return Entry(INTERACTIVE(module))
    chunks = []
    while True:
        try:
            chunk = os.read(0, 1 << 16)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    source = b"".join(chunks)
    module = main_module(loader=importlib.machinery.BuiltinImporter, file="<stdin>")
    sys.modules["__main__"] = module
    return _file_entry(source, "<stdin>", module,
                       stdin_encoding_problem(source, getattr(sys.stdin, "encoding", None) or "utf-8"))


def _file_entry(source, filename, module, problem=None):
    # A script file's or standard input's: python3 flushes the standard streams once it has run, and before it
    # reports one it refuses (``problem``, or a SyntaxError).
    try:
        if problem is not None:
            _refuse_main(problem)
        return Entry(_main_program(source, filename, module), flushes=True)
    except BaseException:
        flush_io()
        raise


_COOKIE = None


def stdin_encoding_problem(source, stdin_encoding):
    """python3's complaint about a script on standard input whose coding cookie (PEP 263) names another encoding
    than standard input's (``encoding problem: iso-8859-1``, names normalized as its tokenizer does), or None."""
    global _COOKIE
    if _COOKIE is None:
        import re

        _COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
    lines = source.split(b"\n", 2)[:2]
    for number, line in enumerate(lines):
        match = _COOKIE.match(line)
        if match is not None:
            name = _normal_encoding_name(match.group(1).decode("ascii", "replace"))
            if name != _normal_encoding_name(stdin_encoding):
                return "encoding problem: " + name
            return None
        # The second line counts only after a blank or comment-only first line.
        if number == 0 and line.strip(b" \t\f\r") and not line.lstrip(b" \t\f").startswith(b"#"):
            return None
    return None


def _normal_encoding_name(name):
    # The tokenizer's get_normal_name: the first twelve characters, lowered, "_" as "-".
    text = name[:12].lower().replace("_", "-")
    if text == "utf-8" or text.startswith("utf-8-"):
        return "utf-8"
    for latin in ("latin-1", "iso-8859-1", "iso-latin-1"):
        if text == latin or text.startswith(latin + "-"):
            return "iso-8859-1"
    return name


def flush_io():
    """What the interpreter does once a script file has run, before it prints the script's exception: flushes
    stderr, then stdout, ignoring what fails (``flush_io`` in ``pythonrun.c``)."""
    for name in ("stderr", "stdout"):
        try:
            getattr(sys, name).flush()
        except Exception:
            pass


def absolute_path(path, cwd):
    """The path as ``python3`` makes a script path absolute: joined to the working directory, not normalized."""
    if os.path.isabs(path):
        return path
    return os.path.join(cwd, path)


def _path_importer(path):
    importer = None
    for hook in sys.path_hooks:
        try:
            importer = hook(path)
            break
        except ImportError:
            continue
    sys.path_importer_cache[path] = importer
    return importer


def _ends_like_zip(path):
    try:
        with open(path, "rb") as file:
            size = file.seek(0, 2)
            file.seek(max(0, size - _ZIP_TAIL))
            return _END_OF_ZIP in file.read()
    except OSError:
        return False


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


def _set_path0(entry):
    if sys.path:
        sys.path[0] = entry
    else:
        sys.path.append(entry)


# The program's frames start after these: everything above them is the caller's (the bootstrap's, the zygote's).
# A program is compiled inside one, so that a SyntaxError of the entry point shows no frame of the caller either.


_FUNCTION = type(run)


def _compile_main(source, filename):
    return compile(source, filename, "exec", dont_inherit=True)


def _main_program(source, filename, module):
    """The program of module code: a function made of it, which runs it as ``exec`` would (the globals are its
    locals) but is called without a built-in function's call in between."""
    return _FUNCTION(_compile_main(source, filename), module.__dict__)


def _module_program(name, alter_argv):
    # runpy's own first import, by name, so that a zygote's run lists it in sys.modules as python3 -m does
    # (jinn._modules gives back a hidden module only to an import).
    import importlib.machinery  # noqa: F401
    import runpy

    return _called_with(runpy._run_module_as_main, name, alter_argv)


def _called_with(function, *arguments):
    # A copy of the function whose parameters default to the arguments: calling it without any is calling
    # function(*arguments), with neither a frame nor a built-in call in between (functools.partial would cost
    # every in-memory program an import of functools).
    return _FUNCTION(function.__code__, function.__globals__, function.__name__, arguments, function.__closure__)


def _run_main(program):
    program()


def _run_path_main(program):
    # python3 runs a directory's or a zip file's __main__ as a module found on sys.path[0], runpy's frames included.
    program()


def _refuse_main(message):
    # A complaint of python3's about the program before any of it runs, with no frame of the caller's.
    raise SyntaxError(message)


BOUNDARIES = (_compile_main.__code__, _run_main.__code__, _run_path_main.__code__, _refuse_main.__code__)


def trim_traceback(tb, boundaries=BOUNDARIES):
    """The traceback after the first frame that runs one of ``boundaries`` (code objects): the program's frames.
    Unchanged when no boundary is in it."""
    current = tb
    while current is not None:
        code = current.tb_frame.f_code
        for boundary in boundaries:
            if code is boundary:
                return current.tb_next
        current = current.tb_next
    return tb
