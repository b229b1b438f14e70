"""What a zygote does before it serves: it imports its preloads, watching each import (``jinn._watched_import``),
and names the files whose change makes it stale."""

import os
import sys

from jinn._watched_import import TIME_LIMIT, import_watched


def preload(names, stderr=None, announce=None, time_limit=TIME_LIMIT):
    """Imports each module, watching what it does (``jinn._watched_import``); returns the names that loaded,
    ``(name, error)`` pairs for those that raised and ``(name, reason)`` pairs for those that loaded but must not
    be preloaded again (they wrote output, started a thread or took too long).

    ``announce(name)`` is called before each import, so that the daemon knows which module a zygote that hangs
    or dies while preloading was importing."""
    loaded, failed, refused = [], [], []
    for name in names:
        if announce is not None:
            announce(name)
        error, refusal = import_watched(name, time_limit)
        if error is not None:
            failed.append((name, error))
            if stderr is not None:
                stderr.write("jinn zygote: cannot preload %s: %s\n" % (name, error))
        else:
            # A refused module is loaded all the same: the daemon decides what its refusal means.
            loaded.append(name)
            if refusal is not None:
                refused.append((name, refusal))
    return loaded, failed, refused


def watched_files(loaded):
    """Files whose change makes this zygote stale: the interpreter, the site-packages directories (installs and
    removals change them) and the files of the preloaded modules. Each item is ``(path, mtime_ns, size, inode)``."""
    import site

    paths = [sys.executable]
    try:
        paths += site.getsitepackages()
    except AttributeError:  # pragma: no cover - virtualenv's old site.py
        pass
    user_site = getattr(site, "USER_SITE", None)
    if user_site:
        paths.append(user_site)
    for name in loaded:
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        if path:
            paths.append(path)
    result = []
    for path in dict.fromkeys(paths):
        try:
            info = os.stat(path)
            result.append((path, info.st_mtime_ns, info.st_size, info.st_ino))
        except OSError:
            result.append((path, 0, -1, 0))
    return result
