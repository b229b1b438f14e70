"""What a call from Swift names: a function, class or method by dotted name, found once and then looked up fast.

A name is located once (which prefix is a module, which parts are attributes) and the location kept; the module is
imported on first use. A bare name is looked up in ``__main__`` and then in the builtins.
"""

import sys

_locations = {}                      # dotted name -> (module name, attribute names)


def resolve(target):
    """The object a dotted name names; errors name what is missing."""
    location = _locations.get(target)
    if location is None:
        location = _locate(target)
        _locations[target] = location
    module_name, names = location
    value = sys.modules.get(module_name)
    if value is None or getattr(getattr(value, "__spec__", None), "_initializing", False):
        # Imported for the first time, or still being imported by another thread (the program's main thread
        # while calls are already served): the import system waits for that import to finish.
        import importlib
        value = importlib.import_module(module_name)
    for name in names:
        value = getattr(value, name)
    return value


def _locate(target):
    parts = target.split(".")
    if not all(part.isidentifier() for part in parts):
        raise ValueError("%r is not a dotted name such as 'module.function' or 'package.module.Class.method'"
                         % target)
    if len(parts) == 1:
        main = sys.modules.get("__main__")
        if main is not None and hasattr(main, target):
            return ("__main__", (target,))
        import builtins
        if hasattr(builtins, target):
            return ("builtins", (target,))
        raise NameError("there is no function %r in __main__ or the builtins; name a module too, "
                        "as in 'module.%s'" % (target, target), name=target)
    import importlib
    for end in range(len(parts), 0, -1):
        module_name = ".".join(parts[:end])
        if module_name not in sys.modules:
            try:
                importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                missing = error.name
                if missing is not None and (module_name == missing or module_name.startswith(missing + ".")):
                    continue  # this prefix is not a module: it names attributes of a shorter one
                raise
        return (module_name, tuple(parts[end:]))
    raise ModuleNotFoundError("No module named %r (while looking up %r)" % (parts[0], target), name=parts[0])
