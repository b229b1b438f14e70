"""What a run finds in ``sys.modules``: what the caller's ``python3`` would have there, and the preloads.

The zygote imports modules for itself (sockets, polling, ``ctypes`` for the parent-death signal) and its preloads
import their own dependencies. A run must not see them in ``sys.modules``: a script that lists or tests for
modules (``"numpy" in sys.modules``) would behave differently. So a spare takes them out before its run starts
(:func:`hide`), and puts each back, the same module object, when the run imports it (:class:`Restorer`, the first
finder on ``sys.meta_path``): an import stays as fast as the zygote made it, and a module is never executed twice.

What stays: the modules the interpreter's own start-up imported (``jinn._importer.INTERPRETER_MODULES``), the
preloads the configuration names, their packages and everything preloading them imported. Those are the user's
choice.

A learned preload (the daemon's guess, from what earlier runs imported) is hidden with everything its import
brought in: its group. Importing any module of a group gives back the whole group at once, with the groups its
modules refer to, as python3's own import of it would have filled ``sys.modules``; the groups and what each
refers to are worked out once, in the zygote (:func:`restoration_sets`), so a run pays a few dictionary stores
instead of walking numpy's namespaces (milliseconds), and the lazy imports inside the library then find their
submodules in ``sys.modules``.
"""

import sys

_HIDDEN = ()  # the names a run does not see, computed once in the zygote
_GROUPS = {}  # a learned preload's module -> the names given back with it, computed once in the zygote
_MODULE_TYPE = type(sys)


def prepare(interpreter_modules, preloaded, bootstrap_modules, learned_groups=(), learned_requests=()):
    """In the zygote, once it is ready: notes the names its runs must not see in ``sys.modules``. ``preloaded``
    are the names preloading the configured modules imported, the preloads and what they imported;
    ``learned_groups`` the names each learned preload's import added, in the order they were imported, and
    ``learned_requests`` the names each one's import statements asked for (:func:`recording_imports`)."""
    global _HIDDEN, _GROUPS
    _HIDDEN = tuple(hidden_names(sys.modules, interpreter_modules, preloaded, bootstrap_modules))
    hidden = frozenset(_HIDDEN)
    groups = [[name for name in group if name in hidden] for group in learned_groups]
    _GROUPS = restoration_sets(sys.modules, groups, learned_requests, hidden)


class recording_imports:
    """A context that records the absolute names the ``import`` statements executed within it ask for, found in
    ``sys.modules`` or not (a learned preload's import asks for modules that earlier ones loaded)."""

    def __enter__(self):
        import builtins

        self.requested, self._builtins = set(), builtins
        self._saved = original = builtins.__import__
        requested = self.requested

        def recording(name, globals=None, locals=None, fromlist=(), level=0):
            if level == 0:
                requested.add(name)
            return original(name, globals, locals, fromlist, level)

        builtins.__import__ = recording
        return self.requested

    def __exit__(self, *exception):
        self._builtins.__import__ = self._saved
        return False


def restoration_sets(modules, groups, requests=(), hidden=frozenset()):
    """For each name in ``groups`` (lists of module names, in import order): the names to give back with it. They
    are its own group's, and those of every group its group asked for (``requests``, one set of names per group)
    or refers to (a module its modules hold, or a function's or class's module), directly or through other
    groups, in import order; then the other ``hidden`` modules those groups asked for or refer to."""
    group_of = {}
    for index, names in enumerate(groups):
        for name in names:
            group_of.setdefault(name, index)
    refers = [set() for _ in groups]
    loose = [set() for _ in groups]  # hidden modules of no group (the zygote's own) that a group needs
    for index, names in enumerate(groups):
        referred = set(requests[index]) if index < len(requests) else set()
        for name in names:
            referred.update(_referred_names(modules.get(name)))
        for referred_name in referred:
            # Importing a.b.c imports a and a.b too.
            parts = referred_name.split(".")
            for candidate in (".".join(parts[:count]) for count in range(1, len(parts) + 1)):
                other = group_of.get(candidate)
                if other is None:
                    if candidate in hidden:
                        loose[index].add(candidate)
                elif other != index:
                    refers[index].add(other)
    sets = {}
    for index, names in enumerate(groups):
        reached, pending = {index}, [index]
        while pending:
            for other in refers[pending.pop()] - reached:
                reached.add(other)
                pending.append(other)
        members = [name for other in sorted(reached) for name in groups[other]]
        members += _with_dependencies(modules, set().union(*(loose[other] for other in reached)), hidden, group_of)
        for name in names:
            sets[name] = tuple(members)
    return sets


def _with_dependencies(modules, names, hidden, group_of):
    """``names`` (hidden modules of no group) and the hidden modules of no group their namespaces refer to, in
    turn: what :meth:`Restorer.restore_dependencies` would give back with them, worked out ahead."""
    result, pending = set(names), list(names)
    while pending:
        for name in _referred_names(modules.get(pending.pop())):
            if name in hidden and name not in group_of and name not in result:
                result.add(name)
                pending.append(name)
    return sorted(result)


def _referred_names(module):
    """The names of the modules ``module``'s namespace holds or takes functions and classes from."""
    namespace = getattr(module, "__dict__", None)
    if not isinstance(namespace, dict):
        return
    for value in list(namespace.values()):
        try:
            if isinstance(value, _MODULE_TYPE):
                name = getattr(value, "__name__", None)
            else:
                name = getattr(value, "__module__", None) if callable(value) else None
        except Exception:  # an object whose attributes raise refers to nothing we can use
            continue
        if type(name) is str:
            yield name


def hidden_names(modules, interpreter_modules, preloaded, bootstrap_modules):
    """The names in ``modules`` that are neither the interpreter's start-up modules, nor preloaded (with a
    preload's packages), nor the bootstrap's (which a run drops anyway): the zygote's own."""
    kept = set(interpreter_modules)
    kept.update(bootstrap_modules)
    for name in preloaded:
        parts = name.split(".")
        kept.update(".".join(parts[:index]) for index in range(1, len(parts) + 1))
    return [name for name in modules if name not in kept]


def hide():
    """In a spare: takes the hidden modules out of ``sys.modules`` and installs the finder that gives them back.
    Returns the finder."""
    hidden = {}
    modules = sys.modules
    for name in _HIDDEN:
        module = modules.pop(name, None)
        if module is not None:
            hidden[name] = module
    global _RESTORER
    _RESTORER = restorer = Restorer(hidden)
    sys.meta_path.insert(0, restorer)
    return restorer


class Restorer:
    """The finder and loader that give a hidden module back to an import: the same object, not run again."""

    def __init__(self, hidden):
        self.hidden = hidden
        self.restored = set()  # the names given back: the zygote's modules, which the run's end leaves alone

    def find_spec(self, fullname, path=None, target=None):
        module = self.hidden.get(fullname)
        if module is None:
            return None
        # Where the module came from, for a caller that only asks (importlib.util.find_spec); an import puts the
        # module's own spec back.
        original = getattr(module, "__spec__", None)
        locations = getattr(original, "submodule_search_locations", None)
        spec = sys.modules["_frozen_importlib"].ModuleSpec(fullname, self, origin=getattr(original, "origin", None),
                                                            is_package=locations is not None)
        if locations is not None:
            spec.submodule_search_locations = locations
        spec.has_location = getattr(original, "has_location", False)
        return spec

    def create_module(self, spec):
        module = self.hidden.pop(spec.name)
        self.restored.add(spec.name)
        group = _GROUPS.get(spec.name)
        if group is not None:
            self.restore_group(group)
        # The import system records the spec it was given on the module: the module's own is put back below.
        self._attributes = (module, getattr(module, "__spec__", None), getattr(module, "__loader__", None), group)
        return module

    def exec_module(self, module):
        saved, spec, loader, group = self._attributes
        self._attributes = None
        if saved is module:
            module.__spec__ = spec
            module.__loader__ = loader
            if group is None:
                self.restore_dependencies(module)

    def restore_group(self, names):
        """Gives back the hidden modules among ``names`` (a learned preload's group and all it needs)."""
        hidden, modules, restored = self.hidden, sys.modules, self.restored
        for name in names:
            module = hidden.pop(name, None)
            # A name the program has set itself is the program's, as python3's import would find it.
            if module is not None and modules.setdefault(name, module) is module:
                restored.add(name)

    def restore_dependencies(self, module):
        """Gives back the hidden modules that importing ``module`` imported, as far as its namespace shows: the
        modules it holds (``import x``, and its loaded submodules) and those its functions and classes come from
        (``from _x import y``), and theirs in turn."""
        hidden, pending = self.hidden, [module]
        while pending and hidden:
            namespace = getattr(pending.pop(), "__dict__", None)
            if not isinstance(namespace, dict):
                continue
            for value in list(namespace.values()):
                if isinstance(value, _MODULE_TYPE):
                    name = getattr(value, "__name__", None)
                else:
                    name = getattr(value, "__module__", None) if callable(value) else None
                if type(name) is str and name in hidden:
                    dependency = hidden.pop(name)
                    # A name the program has set itself is the program's, as python3's import would find it.
                    if sys.modules.setdefault(name, dependency) is dependency:
                        self.restored.add(name)
                        pending.append(dependency)

    def invalidate_caches(self):
        pass


_RESTORER = None  # this run's finder, once hide() has installed it


def restored():
    """The names this run's imports got back from the zygote (an empty set before :func:`hide`)."""
    return _RESTORER.restored if _RESTORER is not None else frozenset()


def loaded(name):
    """The module ``name`` if the zygote or the run has loaded it, hidden or not; else None."""
    module = sys.modules.get(name)
    if module is None and _RESTORER is not None:
        module = _RESTORER.hidden.get(name)
    return module
