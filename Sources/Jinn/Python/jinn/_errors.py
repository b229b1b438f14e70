"""Describes Python exceptions for the Swift side, and hides the bootstrap's own frames from tracebacks."""

import sys

#: Files of the bootstrap whose frames lead into a program; they are not the program's.
BOOT_FILES = frozenset((
    "<string>",
    "<jinn>/jinn/_importer.py",
    "<jinn>/jinn/_runner.py",
    "<frozen runpy>",
))

_IMPORT_SYSTEM_FILES = frozenset(("<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>"))


def strip_boot_frames(tb):
    """Returns the traceback from its first frame that belongs to the program.

    Only the leading run of bootstrap frames is removed: the program's own frames (even one named ``<string>``,
    from code run with ``-c``) always stay.
    """
    first = tb
    current = tb
    passed_runner = False
    while current is not None:
        filename = current.tb_frame.f_code.co_filename
        if filename not in BOOT_FILES:
            break
        if filename == "<jinn>/jinn/_runner.py":
            passed_runner = True
        elif passed_runner and filename == "<string>":
            break
        current = current.tb_next
        first = current
    return first if first is not None else tb


def type_name(error):
    """``ValueError`` for built-in exceptions, ``package.module.Name`` for the others."""
    kind = type(error)
    module = kind.__module__
    if module in ("builtins", "__builtin__", None):
        return kind.__qualname__
    return "%s.%s" % (module, kind.__qualname__)


def describe(error, tb=None, _seen=None):
    """A marshallable dict with the exception's type, message, frames, syntax location, cause and context."""
    import traceback

    if _seen is None:
        _seen = set()
    _seen.add(id(error))
    if tb is None:
        tb = error.__traceback__
    tb = strip_boot_frames(tb) if tb is not None else None
    frames = []
    for frame in traceback.extract_tb(tb) if tb is not None else ():
        if frame.filename in _IMPORT_SYSTEM_FILES:
            continue
        frames.append((frame.filename, frame.lineno or 0, frame.name, frame.line or ""))
    report = {
        "type": type_name(error),
        "message": _message(error),
        "frames": frames,
        "traceback": "".join(traceback.format_exception(type(error), error, tb)),
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
    """Wraps ``sys.excepthook`` so an uncaught exception is printed without the bootstrap's frames."""
    original = sys.excepthook

    def excepthook(kind, value, tb):
        if tb is not None:
            tb = strip_boot_frames(tb)
            # The default hook prints the traceback attached to the exception, not the one it is given.
            if isinstance(value, BaseException):
                value.__traceback__ = tb
        original(kind, value, tb)

    sys.excepthook = excepthook
