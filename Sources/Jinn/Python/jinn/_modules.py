"""What a run finds in ``sys.modules``: what the caller's ``python3`` would have there, and the preloads.

The zygote imports modules for itself (sockets, polling, ``ctypes`` for the parent-death signal) and its preloads
import their own dependencies. A run must not see them in ``sys.modules``: a script that lists or tests for
modules (``"numpy" in sys.modules``) would behave differently. So a spare takes them out before its run starts
(:func:`hide`), and puts each back, the same module object, when the run imports it (:class:`Restorer`, the first
finder on ``sys.meta_path``): an import stays as fast as the zygote made it, and a module is never executed twice.

What stays: the modules the interpreter's own start-up imported (``jinn._importer.INTERPRETER_MODULES``), the
preloads the configuration names, their packages and everything preloading imported. Those are the user's
choice; hiding a preload's dependencies would also make every lazy import inside numpy or scipy (of a submodule
the zygote holds) go through the finder and bring back what that submodule holds, milliseconds per run.
"""

import sys

_HIDDEN = ()  # the names a run does not see, computed once in the zygote
_MODULE_TYPE = type(sys)


def prepare(interpreter_modules, preloaded, bootstrap_modules):
    """In the zygote, once it is ready: notes the names its runs must not see in ``sys.modules``. ``preloaded``
    are the names preloading imported, the explicit preloads and what they imported."""
    global _HIDDEN
    _HIDDEN = tuple(hidden_names(sys.modules, interpreter_modules, preloaded, bootstrap_modules))


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
        if fullname not in self.hidden:
            return None
        return sys.modules["_frozen_importlib"].ModuleSpec(fullname, self)

    def create_module(self, spec):
        module = self.hidden.pop(spec.name)
        self.restored.add(spec.name)
        # The import system records the spec it was given on the module: the module's own is put back below.
        self._attributes = (module, getattr(module, "__spec__", None), getattr(module, "__loader__", None))
        return module

    def exec_module(self, module):
        saved, spec, loader = self._attributes
        self._attributes = None
        if saved is module:
            module.__spec__ = spec
            module.__loader__ = loader
            self.restore_dependencies(module)

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
                    sys.modules[name] = dependency
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
