"""A run's environment and import path as the caller's own ``python3`` start-up would have made them.

The zygote started with the caller's start-up variables (``PYTHON*``, ``LC_*``, ``LANG``) but in another working
directory and with other variables around them. What its start-up derived from those variables is right for the
run except where the working directory or the variables' order enter:

* a relative entry of ``PYTHONPATH`` (``.``, ``src``, an empty entry) was made absolute against the zygote's
  directory; the run's are made absolute against the caller's (:func:`resolve_pythonpath`);
* ``os.environ`` holds the caller's variables in the caller's order (:func:`replace_environment`);
* when the start-up coerced the C locale (PEP 538), the run's environment gets the same ``LC_CTYPE`` the
  caller's ``python3`` would have set (:func:`coerce_locale`).

:func:`prepare` runs once in the zygote; what it computes is inherited by every forked run.
"""

import os
import sys

_PYTHONPATH_PLAN = None  # (entries, their absolute forms in the zygote) when an entry is relative, else None
_COERCED_LOCALE = None  # the LC_CTYPE value the zygote's start-up set (PEP 538), as bytes, else None


def prepare():
    """In the zygote, before it serves: notes what of its start-up depends on its directory or coercion."""
    global _PYTHONPATH_PLAN, _COERCED_LOCALE
    _PYTHONPATH_PLAN = pythonpath_plan(os.environ.get("PYTHONPATH"), os.getcwd())
    _COERCED_LOCALE = coerced_locale(_initial_environment(), os.environb)


def apply(environment, cwd):
    """In a run: completes ``environment`` (a dict of bytes, the caller's order) as the caller's ``python3`` would
    have, installs it, and resolves ``sys.path`` against ``cwd``."""
    coerce_locale(environment, _COERCED_LOCALE)
    replace_environment(environment)
    if _PYTHONPATH_PLAN is not None and cwd:
        resolve_pythonpath(sys.path, _PYTHONPATH_PLAN, cwd)


# -- PYTHONPATH --------------------------------------------------------------------------------------------------


def pythonpath_plan(value, cwd, path=None):
    """``(entries, what the start-up in ``cwd`` made of them in ``path``, ``sys.path`` by default)`` for a
    ``PYTHONPATH`` with a relative or empty entry, else None.

    The interpreter splits the value at ``os.pathsep`` (an empty value adds nothing, an empty entry is the
    working directory) and ``site`` makes every entry absolute (``os.path.abspath``) and drops duplicates.
    """
    if not value or sys.flags.ignore_environment:
        return None
    entries = value.split(os.pathsep)
    if all(os.path.isabs(entry) for entry in entries):
        return None
    # What the start-up made of them is read from sys.path, where they follow the entry point's entry.
    count = len(absolute_entries(entries, cwd))
    return entries, list(sys.path[1:1 + count]) if path is None else list(path[1:1 + count])


def absolute_entries(entries, cwd):
    """The entries as the start-up leaves them for a start-up in ``cwd``: joined to it, made absolute and
    normalized by ``site``, without duplicates."""
    # (In "/", Python 3.11 and later keep a leading "//" that this leaves out: the same directories.)
    return list(dict.fromkeys(os.path.abspath(os.path.join(cwd, entry)) for entry in entries))


def resolve_pythonpath(path, plan, cwd):
    """Replaces in ``path`` (``sys.path``, whose first entry is the entry point's) the ``PYTHONPATH`` entries made
    absolute in the zygote's directory by those made absolute in ``cwd``, and drops the duplicates that makes, as
    ``site`` would have. Leaves a path of another layout alone."""
    entries, zygote_entries = plan
    count = len(zygote_entries)
    if path[1:1 + count] != zygote_entries:
        return
    wanted = absolute_entries(entries, cwd)
    if wanted == zygote_entries:
        return
    path[1:] = list(dict.fromkeys(wanted + path[1 + count:]))


# -- The environment ---------------------------------------------------------------------------------------------


def replace_environment(environment):
    """Makes ``os.environ`` hold exactly ``environment`` (a dict of bytes) in its order, and the C environment
    the same variables.

    The C environment gets only the differences (``putenv``, ``unsetenv``), so a variable that changed comes last
    in what a subprocess inherits: putting every variable back in order costs a forked run a few tenths of a
    millisecond in page faults.
    """
    data = getattr(os.environb, "_data", None)
    if not isinstance(data, dict):  # pragma: no cover - another os module layout
        _replace_by_items(environment)
        return
    for key in [key for key in data if key not in environment]:
        os.unsetenv(key)
    for key, value in environment.items():
        if data.get(key) != value:
            os.putenv(key, value)
    data.clear()
    data.update(environment)


def _replace_by_items(environment):  # pragma: no cover - another os module layout
    environ = os.environb
    for key in [key for key in environ if key not in environment]:
        del environ[key]
    for key, value in environment.items():
        environ[key] = value


# -- Locale coercion (PEP 538) -----------------------------------------------------------------------------------


def coerced_locale(initial, current):
    """The ``LC_CTYPE`` the interpreter's start-up set, given the environment it was started with (``initial``,
    None when unknown) and the one it has now; None when it set none."""
    if initial is None:
        return None
    value = current.get(b"LC_CTYPE")
    if value is None or initial.get(b"LC_CTYPE") == value:
        return None
    return value


def coerce_locale(environment, value):
    """Sets ``LC_CTYPE`` as the start-up's coercion does: in place when the caller has one, else at the end."""
    if value is not None:
        environment[b"LC_CTYPE"] = value


def _initial_environment():
    # The environment the process was started with; the interpreter's start-up changes only the C library's copy.
    try:
        with open("/proc/self/environ", "rb") as file:
            items = file.read().split(b"\0")
    except OSError:
        return None
    return environment_from(items)


def environment_from(items):
    """A dict of bytes from ``KEY=VALUE`` byte strings, as the C environment holds them (first ``=`` splits)."""
    result = {}
    for item in items:
        key, sep, value = item.partition(b"=")
        if sep and key:
            result.setdefault(key, value)
    return result
