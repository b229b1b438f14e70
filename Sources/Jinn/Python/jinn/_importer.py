"""Serves modules and packages held in memory, and boots a program sent by the Swift side.

This file is the second stage of the bootstrap: the first stage (a few lines passed with ``-c``) reads it from
descriptor 3, executes it as the module ``jinn._importer`` and calls :func:`bootstrap`. From then on every module
of the program, the ``jinn`` package included, is imported from memory through :class:`MemoryFinder`.
"""

import marshal
import sys

# What the interpreter's own start-up imported (the first stage adds nothing new to it but this module): what a
# zygote's run shows in sys.modules (jinn._modules).
INTERPRETER_MODULES = tuple(sys.modules)

try:
    from importlib.machinery import ModuleSpec
except ImportError:  # pragma: no cover - every CPython since 3.4 has it
    ModuleSpec = type(sys.__spec__)

#: The descriptor of the channel to the Swift side, fixed by the first stage.
CHANNEL_FD = 3

#: The bytecode version of this interpreter: compiled code sent back by the Swift side is used only if it matches.
MAGIC = getattr(sys.modules.get("_frozen_importlib_external"), "MAGIC_NUMBER", None)


class MemoryLoader:
    """Loads one module from source text; a body runs once per import, as with a file on disk.

    ``code`` is the module compiled by an earlier interpreter of the same bytecode version, when the Swift side
    kept it: loading it skips the compiler. ``on_compiled(path, code)`` hears of every compilation, so that the
    Swift side can keep the result for the next start.
    """

    def __init__(self, name, path, source, package, code=None, on_compiled=None):
        self.name = name
        self.path = path
        self.source = source
        self.package = package
        self.code = code
        self.on_compiled = on_compiled

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(self.get_code(), module.__dict__)

    # The optional loader protocol that linecache, traceback, inspect, runpy and pkgutil use.
    def get_source(self, fullname=None):
        return self.source

    def get_filename(self, fullname=None):
        return self.path

    def get_code(self, fullname=None):
        if self.code is not None:
            try:
                return marshal.loads(self.code)
            except Exception:
                self.code = None
        code = compile(self.source, self.path, "exec", dont_inherit=True)
        if self.on_compiled is not None:
            self.on_compiled(self.path, code)
        return code

    def is_package(self, fullname=None):
        return self.package


class MemoryFinder:
    """A meta path finder for modules held in memory, consulted before the file system."""

    def __init__(self, modules=(), use_code=False):
        self._modules = {}
        self._compiled = []
        self._report = None
        for entry in modules:
            name, path, source, is_package = entry[:4]
            code = entry[4] if use_code and len(entry) > 4 else None
            self.add(name, path, source, is_package, code)

    def add(self, name, path, source, is_package=False, code=None):
        self._modules[name] = MemoryLoader(name, path, source, is_package, code, self._compiled_one)

    def _compiled_one(self, path, code):
        entry = (path, marshal.dumps(code))
        if self._report is None:
            self._compiled.append(entry)
        else:
            self._report([entry])

    def report_compiled(self, report):
        """Hands every compilation so far, and each one from now on, to ``report(entries)``."""
        self._report = report
        pending, self._compiled = self._compiled, []
        if pending:
            report(pending)

    def __contains__(self, name):
        return name in self._modules

    def loader(self, name):
        return self._modules.get(name)

    def names(self):
        return sorted(self._modules)

    def find_spec(self, fullname, path=None, target=None):
        loader = self._modules.get(fullname)
        if loader is None:
            return None
        spec = ModuleSpec(fullname, loader, origin=loader.path, is_package=loader.package)
        spec.has_location = True
        if loader.package:
            spec.submodule_search_locations = [loader.path.rpartition("/")[0]]
        return spec

    def invalidate_caches(self):
        pass


def _read_frame(read):
    return read(int.from_bytes(read(4), "little"))


def bootstrap(read):
    """Reads the program from the channel, installs the finder and runs the program's entry point."""
    program = marshal.loads(_read_frame(read))
    finder = MemoryFinder(program["modules"], use_code=MAGIC is not None and program.get("code_magic") == MAGIC)
    sys.meta_path.insert(0, finder)
    # The first stage executed this file in a bare module registered as ``jinn._importer``; give it the identity
    # an import would have given it, so that ``import jinn._importer`` finds it instead of running it again.
    this = sys.modules[__name__]
    if __name__ in finder:
        this.__spec__ = finder.find_spec(__name__)
        this.__loader__ = this.__spec__.loader
        this.__file__ = this.__loader__.path
        this.__package__ = "jinn"
        if not program.get("stage_was_compiled"):
            # The first stage compiled this file itself; compile it once more so the Swift side can keep it.
            finder._compiled_one(this.__file__, compile(this.__loader__.source, this.__file__, "exec"))
    from jinn import _runner

    _runner.run(program, finder)
