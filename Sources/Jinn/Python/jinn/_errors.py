"""Describes Python exceptions for the Swift side, and hides the bootstrap's and Jinn's own frames from tracebacks."""

import sys

#: Files of the bootstrap whose frames lead into a program; they are not the program's.
BOOT_FILES = frozenset((
    "<string>",
    "<jinn>/jinn/_importer.py",
    "<jinn>/jinn/_runner.py",
))

_RUNNER_FILE = "<jinn>/jinn/_runner.py"

#: The files the first stage calls into.
_STAGE_FILES = frozenset(("<jinn>/jinn/_importer.py", "<jinn>/jinn/_runner.py"))

_IMPORT_SYSTEM_FILES = frozenset(("<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>"))

#: The directory of the jinn package (``<jinn>/jinn/`` when it is served from memory): frames of files inside it
#: are Jinn's own, not the program's, wherever they appear in a traceback.
PACKAGE_DIRECTORY = globals().get("__file__", "<jinn>/jinn/_errors.py").rpartition("/")[0] + "/"

_IMPORTER_FILE = PACKAGE_DIRECTORY + "_importer.py"

#: How many frames the interpreter prints when ``sys.tracebacklimit`` is not set.
_DEFAULT_LIMIT = 1000

#: Whether the interpreter's printer shows source lines that only a loader can give (since Python 3.13).
_LOADER_LINES_SHOWN = sys.version_info >= (3, 13)


def is_own_file(filename):
    """Whether a frame's file is part of the jinn package."""
    return filename.startswith(PACKAGE_DIRECTORY)


def strip_boot_frames(tb):
    """Returns the traceback from its first frame that belongs to the program.

    Only the leading run of bootstrap frames is removed: the program's own frames (even one named ``<string>``,
    from code run with ``-c``) always stay. A ``<string>`` frame is the first stage's only when it leads into the
    bootstrap; a traceback of only bootstrap frames is returned whole.
    """
    current = tb
    passed_runner = False
    while current is not None:
        frame = current.tb_frame
        filename = frame.f_code.co_filename
        if filename not in BOOT_FILES:
            # runpy runs a module as __main__ for the runner; its frames are the runner's there, and the program's
            # when they come first (python3 shows them for a directory or zip file it runs).
            if not passed_runner or frame.f_globals.get("__name__") != "runpy":
                break
        elif filename == "<string>":
            if passed_runner or current is not tb or not _leads_into_bootstrap(current):
                break
        elif filename == _RUNNER_FILE:
            passed_runner = True
            if frame.f_code.co_name == "_run_path_main":
                # python3 shows runpy's frames for the directory or zip file it runs: they are the program's.
                return current.tb_next if current.tb_next is not None else tb
        current = current.tb_next
    return current if current is not None else tb


def _leads_into_bootstrap(tb):
    following = tb.tb_next
    return following is not None and following.tb_frame.f_code.co_filename in _STAGE_FILES


def type_name(error):
    """``ValueError`` for built-in exceptions, ``package.module.Name`` for the others."""
    kind = type(error)
    module = kind.__module__
    if module in ("builtins", "__builtin__", None):
        return kind.__qualname__
    return "%s.%s" % (module, kind.__qualname__)


def summarize(error, tb=None):
    """A ``traceback.TracebackException`` of the exception and its cause/context chain without Jinn's frames.

    ``tb`` replaces the exception's own traceback (its chained exceptions keep theirs). The bootstrap's leading
    frames are removed from it, and every frame of a file inside the jinn package from all of the chain; each
    traceback then keeps its last ``sys.tracebacklimit`` frames (1000 when unset), as the interpreter prints them.
    """
    import traceback

    if tb is None:
        tb = error.__traceback__
    if tb is not None:
        stripped = strip_boot_frames(tb)
        if stripped is tb and tb.tb_frame.f_code.co_filename == "<string>" and _leads_into_bootstrap(tb):
            # Nothing but the bootstrap: the program's entry point did not compile, or the start was interrupted.
            stripped = None
        tb = stripped
    summary = traceback.TracebackException(type(error), error, tb, limit=sys.maxsize)
    limit = getattr(sys, "tracebacklimit", None)
    if type(limit) is not int:
        limit = _DEFAULT_LIMIT
    pending = [summary]
    seen = set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        stack = current.stack
        kept = _program_frames(stack)
        if len(kept) > limit:
            kept = kept[len(kept) - limit:] if limit > 0 else []
        if len(kept) != len(stack):
            stack[:] = kept  # still a StackSummary, which formats repeated frames as the interpreter does
        if not _LOADER_LINES_SHOWN:
            _drop_loader_lines(kept)
        pending.append(current.__cause__)
        pending.append(current.__context__)
        pending.extend(getattr(current, "exceptions", None) or ())  # the members of an ExceptionGroup
    return summary


def _drop_loader_lines(stack):
    # The traceback module also shows the lines a loader gives (a zip file's), which the interpreter's printer did
    # not read before Python 3.13; only Jinn's modules held in memory (their files are "<jinn>/...") keep theirs.
    import linecache

    cache = linecache.cache
    for frame in stack:
        filename = frame.filename
        if not filename.startswith("<"):
            entry = cache.get(filename)
            if entry is not None and len(entry) == 4 and entry[1] is None:  # no modification time: not a file
                frame._line = ""


def _program_frames(stack):
    # Jinn's frames go. So do the import system's frames that lead into a module the in-memory loader runs, as
    # the interpreter removes those that lead into a module loaded from a file (``_call_with_frames_removed``).
    kept = []
    importing = []
    for frame in stack:
        filename = frame.filename
        if filename in _IMPORT_SYSTEM_FILES:
            importing.append(frame)
        elif is_own_file(filename):
            if filename == _IMPORTER_FILE:
                importing = []
        else:
            if importing:
                kept.extend(importing)
                importing = []
            kept.append(frame)
    kept.extend(importing)
    return kept


def format_exception(error, tb=None, colorize=False):
    """The text ``python3`` prints for the exception, without Jinn's frames; see :func:`summarize`.

    ``colorize`` colours it as Python 3.13 and later do on a terminal (it is ignored before 3.13).
    """
    summary = summarize(error, tb)
    if colorize:
        try:
            return "".join(summary.format(colorize=True))
        except TypeError:  # before Python 3.13
            pass
    return "".join(summary.format())


def describe(error, tb=None, _seen=None):
    """A marshallable dict with the exception's type, message, frames, syntax location, cause and context.

    Neither the frames nor the traceback text include Jinn's own frames (see :func:`summarize`).
    """
    if _seen is None:
        _seen = set()
    _seen.add(id(error))
    summary = summarize(error, tb)
    frames = []
    for frame in summary.stack:
        if frame.filename in _IMPORT_SYSTEM_FILES:
            continue
        frames.append((frame.filename, frame.lineno or 0, frame.name, frame.line or ""))
    report = {
        "type": type_name(error),
        "message": _message(error),
        "frames": frames,
        "traceback": "".join(summary.format()),
    }
    if isinstance(error, SyntaxError):
        report["syntax"] = (
            error.filename or "",
            error.lineno or 0,
            error.offset or 0,
            (error.text or "").rstrip("\n"),
        )
    cause = error.__cause__
    if cause is not None and id(cause) not in _seen:
        report["cause"] = describe(cause, _seen=_seen)
    context = error.__context__
    if context is not None and not error.__suppress_context__ and id(context) not in _seen:
        report["context"] = describe(context, _seen=_seen)
    return report


def _message(error):
    if isinstance(error, SyntaxError):
        return str(error.msg or "")
    try:
        return str(error)
    except Exception:  # a broken __str__ must not hide the exception itself
        return "<unprintable %s>" % type(error).__name__


def install_excepthook():
    """Wraps ``sys.excepthook`` so an uncaught exception is printed without the bootstrap's and Jinn's frames.

    The interpreter's own printer reads source lines from files on disk only; the text is made by the
    ``traceback`` module instead, which also gets the lines of modules held in memory from their loaders, and is
    otherwise what ``python3`` prints. A hook installed before this one (by ``sitecustomize``, say) is still
    called, with the bootstrap's frames removed.
    """
    original = sys.excepthook

    def excepthook(kind, value, tb):
        if tb is not None:
            tb = strip_boot_frames(tb)
            # The default hook prints the traceback attached to the exception, not the one it is given.
            if isinstance(value, BaseException):
                value.__traceback__ = tb
        if original is sys.__excepthook__ and isinstance(value, BaseException):
            stderr = sys.stderr if sys.stderr is not None else sys.__stderr__
            try:
                text = format_exception(value, tb, _colorize())
            except Exception:  # whatever the traceback module cannot format, the interpreter still prints
                text = None
            if text is not None:
                if stderr is not None:
                    stderr.write(text)
                    stderr.flush()
                return
        original(kind, value, tb)

    sys.excepthook = excepthook


def install_thread_excepthook():
    """Makes an uncaught exception in a ``threading.Thread`` print as :func:`install_excepthook` prints one: as
    ``python3`` prints it for files, source lines of modules held in memory included, without Jinn's frames.

    The interpreter's printer for threads (``_thread._excepthook``) reads source lines from files on disk only.
    ``threading`` takes its hook from ``_thread`` when it is first imported, so the hook is put there, and a program
    that never imports ``threading`` does not pay for importing it now.
    """
    global _thread_hooks
    import _thread

    original = getattr(_thread, "_excepthook", None)
    if original is None or _thread_hooks is not None:
        return

    def excepthook(args, /):
        # As the interpreter's printer does (Modules/_threadmodule.c), with the text of format_exception.
        if args.exc_type is SystemExit:
            return
        stderr = sys.stderr
        thread = args.thread
        if stderr is None:
            if thread is None:
                return
            stderr = thread._stderr
            if stderr is None:
                return
        value = args.exc_value
        try:
            text = format_exception(value, args.exc_traceback, _colorize())
        except Exception:  # whatever the traceback module cannot format, the interpreter still prints
            return original(args)
        name = getattr(thread, "name", None) if thread is not None else None
        stderr.write("Exception in thread %s:\n" % (_thread.get_ident() if name is None else name,))
        stderr.write(text)
        stderr.flush()

    _thread._excepthook = excepthook
    _thread_hooks = (original, excepthook)
    _swap_thread_hook(original, excepthook)


def restore_thread_excepthook():
    """Gives threads the interpreter's own printer back, as :func:`install_thread_excepthook` found it."""
    global _thread_hooks
    if _thread_hooks is None:
        return
    import _thread

    original, ours = _thread_hooks
    _thread._excepthook = original
    _thread_hooks = None
    _swap_thread_hook(ours, original)


def _swap_thread_hook(old, new):
    # A threading module imported already took its hook, and its __excepthook__, from _thread.
    threading = sys.modules.get("threading")
    if threading is not None:
        if threading.excepthook is old:
            threading.excepthook = new
        if getattr(threading, "__excepthook__", None) is old:
            threading.__excepthook__ = new


_thread_hooks = None  # (the interpreter's hook, Jinn's) while Jinn's is installed


def _colorize():
    # Whether the interpreter's own hook would colour the traceback (Python 3.13 and later, on a terminal).
    import traceback  # noqa: F401  (it loads _colorize on the versions that colour)

    can_colorize = getattr(sys.modules.get("_colorize"), "can_colorize", None)
    if can_colorize is None:
        return False
    try:
        return bool(can_colorize())
    except Exception:
        return False
