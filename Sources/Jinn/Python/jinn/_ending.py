"""How a run of the zygote's ends: as a ``python3`` process ends, without tearing the interpreter down.

A forked child must not tear the interpreter down: finalization touches every object the zygote holds (a reference
count is a write), which copies each page the fork shared and costs tens of milliseconds for a zygote holding numpy
and scipy. The child does what finalization does that a script can observe, in the same order, and then leaves with
``os._exit``: threads are joined and ``atexit`` runs, each called from C (:func:`exit_calls`), the standard streams are flushed (status 120 when that fails),
and the modules the script made go as finalization takes modules away (``jinn._finalization``), so that files it
left open are flushed and closed and ``__del__`` methods run while module globals are still intact.
"""

import gc
import os
import sys

from jinn import _modules
from jinn._finalization import clear_namespace, finalize_modules  # noqa: F401 (clear_namespace: jinn._spare's)
from jinn._runner import BOUNDARIES, trim_traceback


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
    """Prints an uncaught exception through ``sys.excepthook`` without the frames that led into the program."""
    tb = trim_traceback(error.__traceback__, BOUNDARIES)
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


def exit_calls():
    """The calls into the program's code that ``Py_FinalizeEx`` makes first, in its order, as ``(call, owner)``
    pairs to be made from C, with no frame below them (``jinn._bottom``), as the interpreter makes them:
    ``threading._shutdown``, which joins the threads that are not daemons (a failure, such as an interrupt while it
    waits, is reported as unraisable in ``owner``, as ``wait_for_thread_shutdown`` reports it), then the ``atexit``
    callbacks (which report their own failures).

    A call that would run none of the program's code is made here instead, since each call from C costs the run a
    passage of the chain: ``threading._shutdown`` with no other thread and no ``threading._register_atexit``
    function, ``atexit`` with no callback.
    """
    calls = []
    threading = sys.modules.get("threading")
    if threading is not None:
        if threading.active_count() > 1 or getattr(threading, "_threading_atexits", True):
            calls.append((threading._shutdown, threading))
        else:
            shut_down(threading._shutdown, threading)
    import atexit

    if atexit._ncallbacks():
        calls.append((atexit._run_exitfuncs, atexit))
    return calls


def shut_down(call, owner):
    """Makes one of :func:`exit_calls`' calls here, below the caller's frames."""
    try:
        call()
    except BaseException as error:
        # Without this function's frame, which python3's C caller does not have.
        report_exit_failure(error.with_traceback(error.__traceback__.tb_next), owner)


def report_exit_failure(error, owner):
    """Reports what an exit call raised as the interpreter does: ``Exception ignored in: <owner>``."""
    try:
        sys.unraisablehook(_UNRAISABLE_ARGUMENTS((type(error), error, error.__traceback__, None, owner)))
    except BaseException:
        pass


def finish(status, startup_modules, zygote_namespace):
    """Does what interpreter shutdown does after :func:`exit_calls` that a script can see, in ``Py_FinalizeEx``'s
    order; returns the final exit status (120 when flushing the standard streams fails, as under python3).

    ``startup_modules`` are the names in ``sys.modules`` before the run: the others are the run's.
    ``zygote_namespace`` is the namespace the zygote itself runs in, still ``__main__``'s if the run ended before
    it had one: it is left alone, because the child is still running the zygote's code.
    """
    if not _flush_standard_streams():
        status = 120
    if gc.isenabled():
        gc.collect()
    finalize_modules(run_module_names(startup_modules), zygote_namespace)
    # What finalizers printed goes out as python3's streams flush when they are finally destroyed: silently.
    _flush_standard_streams(report=False)
    return status


def run_module_names(startup_modules):
    """The names the run added to ``sys.modules``, oldest first; those ``jinn._modules`` gave back are the
    zygote's."""
    # Modules are kept in import order: the run's own are at the end. Iterating all of sys.modules would write
    # to every page the zygote's names share with the child.
    restored = _modules.restored()
    names = []
    for name in reversed(sys.modules):
        if name in restored:
            continue
        if name in startup_modules:
            break
        names.append(name)
    names.reverse()
    return names


def _flush_standard_streams(report=True):
    # As flush_std_files: stdout first, its failure reported as unraisable; a failure of stderr only counts.
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
                # With no traceback, since python3's flush has no Python frames (this module's are not the
                # program's).
                report_exit_failure(error.with_traceback(None), stream)
    return ok


def _unraisable_arguments_type():
    # The hook's argument type (UnraisableHookArgs) is not exposed, and the default hook takes nothing else: it is
    # taken from a real unraisable exception.
    captured = []
    saved, sys.unraisablehook = sys.unraisablehook, captured.append
    try:
        class Raises:
            def __del__(self):
                raise RuntimeError

        Raises()
    finally:
        sys.unraisablehook = saved
    return type(captured[0])


_UNRAISABLE_ARGUMENTS = _unraisable_arguments_type()


def library_imports(startup_modules, limit=64):
    """The top-level libraries the run imported, as ASCII bytes separated by spaces, for the zygote's end report.

    A library is a module found in a ``sys.path`` directory other than the script's own (``sys.path[0]``, whose
    modules change as their user edits them): the standard library, site-packages, ``PYTHONPATH``. Private names
    (a leading underscore, usually a library's own accelerator) and the run's own ``__main__`` are left out. Only
    the run's modules are looked at (``run_module_names``: the newest end of ``sys.modules``, less the zygote's
    modules given back), so this costs a run next to nothing.
    """
    try:
        library_directories = set(sys.path[1:]) - {sys.path[0] if sys.path else ""}
        names = []
        for name in run_module_names(startup_modules):
            # Short ASCII names only, so that the report fits the zygote's read (``_zygote._REPORT_LIMIT``).
            if "." in name or name.startswith("_") or len(name) > 60 or not name.isidentifier() or not name.isascii():
                continue
            path = getattr(sys.modules.get(name), "__file__", None)
            if not path:
                continue
            directory = os.path.dirname(path)
            if os.path.basename(path).startswith("__init__."):
                directory = os.path.dirname(directory)
            if directory in library_directories:
                names.append(name)
                if len(names) == limit:
                    break
        return " ".join(names).encode("ascii")
    except Exception:  # a report is a hint: a run never fails for it
        return b""
