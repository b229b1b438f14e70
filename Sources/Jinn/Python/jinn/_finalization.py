"""The last part of a run's end: its modules go as interpreter finalization takes modules away, in the same order.

CPython's finalization (``finalize_modules``) first drops the references ``sys`` holds (``sys.last_*``, the import
machinery's lists) and takes every module out of ``sys.modules``, keeping a weak reference to each; then it
collects garbage, so that the cycles the program made (a class and its instances, ``__main__``'s namespace) are
finalized while module globals are intact: ``__del__`` methods, ``weakref`` callbacks and ``gc.callbacks`` run as
they ran in the program. Only then are the namespaces of the modules still alive cleared (newest first), and the
garbage collected once more.

A run does the same for what is the run's: the modules it imported and its ``__main__``. The zygote's modules stay
as they are, even when the run put one under another name (``sys.modules["a"] = builtins``), because tearing
them down would write to every page the fork shares with the zygote (see ``jinn._ending``).
"""

import builtins
import gc
import sys
import weakref
from collections import defaultdict
from functools import partial

_ZYGOTE_MODULE_IDS = frozenset()  # the ids of the module objects in the zygote's sys.modules when it was ready

# What finalization sets to None in sys first (finalize_modules_delete_special): each holds references into the
# program, and an import from a finalizer fails from then on as it fails under python3.
_SYS_ATTRIBUTES = ("path", "argv", "ps1", "ps2", "last_type", "last_value", "last_traceback", "path_hooks",
                   "path_importer_cache", "meta_path", "__interactivehook__")
_SYS_ATTRIBUTES_SINCE_3_12 = ("last_exc",)
_ZYGOTE_SYS_ATTRIBUTES = ("path", "argv", "path_hooks", "path_importer_cache", "meta_path")
_KEPT = []


def prepare():
    """In the zygote, once it is ready: notes its module objects, which no run may tear down."""
    global _ZYGOTE_MODULE_IDS
    _ZYGOTE_MODULE_IDS = frozenset(id(module) for module in sys.modules.values())


def finalize_modules(run_names, zygote_namespace):
    """Takes the run's modules (``run_names``, oldest first, and ``__main__`` unless its namespace is
    ``zygote_namespace``) away as interpreter finalization does."""
    names = _SYS_ATTRIBUTES + (_SYS_ATTRIBUTES_SINCE_3_12 if sys.version_info >= (3, 12) else ())
    for name in names:
        if name in _ZYGOTE_SYS_ATTRIBUTES:
            # The zygote's import machinery is kept, not freed: freeing writes to pages the fork shares.
            _KEPT.append(getattr(sys, name, None))
        setattr(sys, name, None)
    _restore_standard_streams()
    modules = sys.modules
    weaklist = []
    module = main = modules.get("__main__")
    if main is not None and getattr(main, "__dict__", None) is not zygote_namespace:
        _note(weaklist, "__main__", main)
        modules["__main__"] = None
    for name in run_names:
        module = modules.pop(name, None)
        if module is not None:
            _note(weaklist, name, module)
    # By now python3 has emptied sys.modules, so a traceback printed from a finalizer has no source lines (the
    # interpreter's printer cannot import io to read them). Taking io out alone does that here.
    _KEPT.append(modules.pop("io", None))
    # The zygote's modules stay in sys.modules, where python3's are gone by now: an import statement in a finalizer
    # must fail all the same, as python3's does.
    real_import, builtins.__import__ = builtins.__import__, _IMPORT_AFTER_SHUTDOWN
    module = main = None  # this frame must not keep a module alive
    gc.collect()
    for name, reference in reversed(weaklist):
        module = reference()
        if module is not None:
            clear_namespace(module.__dict__)
        module = None
    gc.collect()
    builtins.__import__ = real_import  # for Jinn's own code, which runs on


class _ShuttingDown(ImportError):
    """Raised in C by :data:`_IMPORT_AFTER_SHUTDOWN`, which makes a fresh ``ImportError`` of it each time (an
    instance raised again would carry its earlier traceback)."""

    def __new__(cls, *arguments):
        return ImportError("sys.meta_path is None, Python is likely shutting down")


def _exhausted():
    return
    yield


_EXHAUSTED = _exhausted()
next(_EXHAUSTED, None)

# What ``__import__`` is while the run's finalizers run: it raises python3's ImportError for every name, from C, so
# that no frame of Jinn's shows in the traceback (an exhausted generator's ``throw`` raises without running a
# frame). ``min`` takes ``__import__``'s arguments and calls the key on the first, the name; the ``defaultdict``
# lookup of the name misses and calls the factory with no arguments, which throws.
_IMPORT_AFTER_SHUTDOWN = partial(min, key=defaultdict(partial(_EXHAUSTED.throw, _ShuttingDown)).__getitem__)


def _note(weaklist, name, module):
    if isinstance(module, type(sys)) and id(module) not in _ZYGOTE_MODULE_IDS:
        try:
            weaklist.append((name, weakref.ref(module)))
        except TypeError:  # pragma: no cover - a module type without weak references
            pass


def _restore_standard_streams():
    # Finalization writes through the original streams: a program's replacements are put back.
    for name in ("stdin", "stdout", "stderr"):
        original = getattr(sys, "__%s__" % name, None)
        if original is not None:
            setattr(sys, name, original)


def clear_namespace(namespace):
    """Releases a module's names as the interpreter does: those with a leading underscore first, ``__builtins__``
    last (it stays)."""
    try:
        for name in [name for name in namespace if name.startswith("_") and name != "__builtins__"]:
            namespace[name] = None
        for name in [name for name in namespace if not name.startswith("_")]:
            namespace[name] = None
    except BaseException:
        pass
