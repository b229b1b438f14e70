"""Python objects that the Swift side holds through handles (``PythonObject``), and the operations on them.

Every operation is an ordinary call from Swift of a function of this module, so that it runs, times out and is
cancelled as any call does (see ``jinn._rpc``). Its arguments name objects with *nodes*; its result is a *reply*.

Nodes, from Swift::

    value that is not a tuple         plain data, as it is
    (0, value)                        plain data that is a tuple
    (1, handle)                       the object behind a handle
    (2, node, name)                   an attribute of an object
    (3, node, key node)               an item of an object
    (4, [nodes]) / (5, [nodes])       a list / a tuple of objects
    (6, [(key node, node), ...])      a dict of objects
    (7, dtype, shape, bytes)          a new numpy array: dtype is a kind and a size ("f8", "i4", "b1"), native order
    (8, start, stop, step)            a slice (three nodes)
    (10, ("jinn.shared", token, name)) a numpy array over shared memory (``jinn._shared``)
    (9, [nodes])                      a set of objects

Replies, to Swift::

    value that is not a tuple         plain data
    (0, value)                        plain data that is a tuple
    (1, handle, type name)            a handle: the object stays in the table until Swift releases the handle
    (2, dtype, shape, bytes)          the contents of an array, in C order
    (3, dtype, shape, size, piece, handle reply)
                                      the contents of a large array, read in pieces through the handle (read())
    (4, [replies], finished)          items of an iteration; finished at its end
    (5, [replies])                    several replies
    (6, type name)                    an object asked for as plain data that is not plain data

Plain data is None, bool, int, float, str and bytes, and lists, tuples, dicts, sets and frozensets of plain data,
of exactly these types; numpy's bool, integer and floating scalars count as plain data and travel as numbers.
Anything else travels as a handle, values of subclasses of the plain types included (an ``IntEnum`` member keeps
its name and methods).

Lifetime. The table maps each handle to its object and to the number of replies that carried the handle and that
Swift has not released. An object that comes back while it is in the table gets the same handle and one more
count. Swift releases a reply's handles once it has read the reply (so a release never overtakes the reply that
made the handle) and its last copy of them is gone, several at a time (:func:`release`). Handles are never reused:
a release for a handle that is gone finds nothing.
"""

import _thread
import sys

from jinn import _arrays, _values

_lock = _thread.allocate_lock()  # guards the table: calls run on several threads
_table = {}                      # handle -> [object, count]
_handles = {}                    # id(object) -> handle, for the objects in the table
_failures = {}                   # iterator handle -> the exception that ended a batch of items early
_next_handle = 0
_type_names = {}                 # type -> its dotted name, for the replies
_awaitables = {}                 # type -> whether its values are awaitable (a call awaits them)

_SCALARS = frozenset((type(None), bool, int, float, str, bytes))
_SEQUENCES = frozenset((list, tuple, set, frozenset))
_MAX_DEPTH = 400                 # below marshal's nesting limit
_NOT_PLAIN = object()
_VALUE, _PLAIN, _ARRAY = 0, 1, 2  # what an operation returns: a reply, plain data, or an array's contents


class _NotPlain(Exception):
    pass


# -- Operations ----------------------------------------------------------------------------------------------------

def get(node, mode=_VALUE):
    """The object that ``node`` names, as a reply (``mode`` 0), as plain data (1), or as an array's contents (2)."""
    return _reply(_object(node), mode)


def call(node, args, kwargs, mode=_VALUE):
    """Calls the object that ``node`` names with argument nodes; an awaitable result is awaited, as for calls."""
    function = _object(node)
    for argument in args:
        if type(argument) is tuple:  # a node; other arguments are plain data as they are
            args = [_object(argument) for argument in args]
            break
    if kwargs:
        result = function(*args, **{name: _object(argument) for name, argument in kwargs.items()})
    else:
        result = function(*args)
    kind = type(result)
    if mode == _VALUE and kind in _SCALARS:
        return result  # the most common result, without the look-up of __await__ that fails
    awaitable = _awaitables.get(kind)
    if awaitable is None:
        awaitable = hasattr(kind, "__await__")  # a look-up that fails costs more than the rest of a reply
        if len(_awaitables) >= 1024:
            _awaitables.clear()
        _awaitables[kind] = awaitable
    if awaitable:
        return _reply_later(result, mode)
    return _reply(result, mode)


async def _reply_later(awaitable, mode):
    return _reply(await awaitable, mode)


def hold(node):
    """A handle to the object ``node`` names, even when it is plain data (a new object made from it, then)."""
    return _handle(_object(node))


def set_attribute(node, name, value):
    setattr(_object(node), name, _object(value))


def delete_attribute(node, name):
    delattr(_object(node), name)


def set_item(node, key, value):
    _object(node)[_object(key)] = _object(value)


def delete_item(node, key):
    del _object(node)[_object(key)]


def _contains(container, element):
    return element in container


_OPERATIONS = {}


def _operations():
    import operator

    for name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "neg", "pos", "abs", "invert",
                 "and_", "or_", "xor", "lshift", "rshift", "lt", "le", "eq", "ne", "gt", "ge", "truth", "is_",
                 "iadd", "isub", "imul", "itruediv"):
        _OPERATIONS[name] = getattr(operator, name)
    _OPERATIONS.update(len=len, repr=repr, str=str, contains=_contains)
    return _OPERATIONS


def operate(name, *nodes):
    """Applies an operator or a builtin (``add``, ``lt``, ``len``, ``repr``, ...) to the objects ``nodes`` name."""
    operation = (_OPERATIONS or _operations())[name]
    return _reply(operation(*[_object(node) for node in nodes]), _VALUE)


def test(name, *nodes):
    """The truth of an operator's result (``a < b``), as Python's ``if a < b`` sees it."""
    operation = (_OPERATIONS or _operations())[name]
    return bool(operation(*[_object(node) for node in nodes]))


def iterate(node, count):
    """Starts iterating over an object: the iterator's handle and its first ``count`` items."""
    iterator = iter(_object(node))
    handle = _handle(iterator)
    return (5, [handle, _items(handle[1], iterator, count)])


def next_items(handle, count):
    """The next ``count`` items (fewer at the end) of the iterator behind ``handle``."""
    failure = _failures.pop(handle, None)
    if failure is not None:
        raise failure  # the exception that ended the previous batch early, after the items before it
    return _items(handle, _target(handle), count)


def _items(handle, iterator, count):
    items = []
    finished = False
    try:
        for _ in range(count):
            items.append(next(iterator))
    except StopIteration:
        finished = True
    except BaseException as error:
        if not items:
            raise
        _failures[handle] = error  # the items read so far go first; the exception comes with the next batch
    return (4, [_reply(item, _VALUE) for item in items], finished)


def enter(node):
    """Enters a context manager as ``with`` does: the manager's handle, and what ``__enter__`` returned."""
    manager = _object(node)
    kind = type(manager)
    if not hasattr(kind, "__exit__") or not hasattr(kind, "__enter__"):
        raise TypeError("'%s' object does not support the context manager protocol" % _type_name(kind))
    handle = _handle(manager)
    return (5, [handle, _reply(kind.__enter__(manager), _VALUE)])


def leave(handle, failure=None):
    """Leaves the context manager behind ``handle``; ``failure`` describes the Swift error that ended the block.

    Returns whether ``__exit__`` asked to suppress the error (which the Swift side cannot do: it rethrows).
    """
    manager = _target(handle)
    if failure is None:
        return bool(type(manager).__exit__(manager, None, None, None))
    import jinn

    error = jinn.SwiftError(failure)
    return bool(type(manager).__exit__(manager, type(error), error, None))


def read(handle, offset, count):
    """``count`` bytes from ``offset`` of the C-contiguous buffer behind ``handle``: a piece of a large array.

    A view, not a copy: the channel copies its bytes once, straight into shared memory.
    """
    return memoryview(_target(handle)).cast("B")[offset:offset + count]


def import_module(name, mode=_VALUE):
    """Imports a module (``numpy``, ``os.path``) and returns it."""
    import importlib

    return _reply(importlib.import_module(name), mode)


def lookup(name, mode=_VALUE):
    """The object a dotted name names: a module followed by attributes (``numpy.linalg.solve``), or a bare name
    from ``__main__``, the builtins, or the modules."""
    import importlib

    parts = name.split(".")
    if not all(part.isidentifier() for part in parts):
        raise ValueError("%r is not a dotted name such as 'module.function' or 'package.module.Class'" % name)
    if len(parts) == 1:
        main = sys.modules.get("__main__")
        if main is not None and hasattr(main, name):
            return _reply(getattr(main, name), mode)
        import builtins

        if hasattr(builtins, name):
            return _reply(getattr(builtins, name), mode)
    for end in range(len(parts), 0, -1):
        module_name = ".".join(parts[:end])
        try:
            value = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            missing = error.name
            if end > 1 and missing is not None and (module_name == missing or module_name.startswith(missing + ".")):
                continue  # this prefix is not a module: it names attributes of a shorter one
            raise
        for attribute in parts[end:]:
            value = getattr(value, attribute)
        return _reply(value, mode)
    raise ModuleNotFoundError("No module named %r" % parts[0], name=parts[0])


class _ModulesOnDemand:
    """The local names of an evaluation: a name that is neither in ``__main__`` nor a builtin is imported as a
    module, so that ``numpy.pi`` needs no import first."""

    def __init__(self, namespace):
        self.namespace = namespace

    def __getitem__(self, name):
        import builtins

        if name in self.namespace or hasattr(builtins, name):
            raise KeyError(name)  # Python looks in the globals and the builtins next
        import importlib

        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                raise KeyError(name) from None  # a NameError, as for any unknown name
            raise


def evaluate(source, mode=_VALUE):
    """Evaluates an expression in ``__main__``'s namespace, importing the modules it names."""
    main = sys.modules.get("__main__")
    namespace = main.__dict__ if main is not None else {}
    code = compile(source, "<evaluate>", "eval")
    return _reply(eval(code, namespace, _ModulesOnDemand(namespace)), mode)


def release(handles):
    """Forgets one count of each handle (a handle may come several times); objects whose count reaches zero go."""
    dropped = []
    with _lock:
        for handle in handles:
            entry = _table.get(handle)
            if entry is None:
                continue
            entry[1] -= 1
            if entry[1] <= 0:
                del _table[handle]
                del _handles[id(entry[0])]
                _failures.pop(handle, None)
                dropped.append(entry)
    # The last references go outside the lock: a __del__ method may itself make handles.
    del dropped


def released(handles, name, *arguments):
    """Releases handles that came along with an operation, then performs the operation ``name``."""
    release(handles)
    return _OPERATIONS_BY_NAME[name](*arguments)


def table_size():
    """The number of objects the table keeps alive for the Swift side."""
    return len(_table)


_OPERATIONS_BY_NAME = {function.__name__: function for function in (
    get, call, hold, set_attribute, delete_attribute, set_item, delete_item, operate, test, iterate, next_items,
    enter, leave, read, import_module, lookup, evaluate)}


# -- Nodes and replies ---------------------------------------------------------------------------------------------

def _target(handle):
    entry = _table.get(handle)
    if entry is None:
        raise LookupError("no Python object has the handle %r: it was released" % (handle,))
    return entry[0]


def _object(node):
    """The object a node names (see the module's documentation)."""
    if type(node) is not tuple:
        return node
    kind = node[0]
    if kind == 2:
        base = node[1]
        if type(base) is tuple and base[0] == 1:  # an attribute of a handle's object: a method, most often
            entry = _table.get(base[1])
            if entry is not None:
                return getattr(entry[0], node[2])
        return getattr(_object(base), node[2])
    if kind == 1:
        return _target(node[1])
    if kind == 3:
        return _object(node[1])[_object(node[2])]
    if kind == 0:
        return node[1]
    if kind == 4:
        return [_object(element) for element in node[1]]
    if kind == 5:
        return tuple([_object(element) for element in node[1]])
    if kind == 6:
        return {_object(key): _object(value) for key, value in node[1]}
    if kind == 7:
        return _arrays.new_array(node[1], node[2], node[3])
    if kind == 8:
        return slice(_object(node[1]), _object(node[2]), _object(node[3]))
    if kind == 9:
        return {_object(element) for element in node[1]}
    if kind == 10:
        from jinn import _shared
        return _shared.view(node[1])
    raise ValueError("unknown kind of object node: %r" % (kind,))


def _reply(value, mode):
    if mode == _VALUE:
        kind = type(value)
        if kind in _SCALARS:
            return value
        if kind in _SEQUENCES or kind is dict:
            try:
                plain = _plain(value, 0)
            except _NotPlain:
                return _handle(value)
            return (0, plain) if kind is tuple else plain
        number = _number(value)  # no exception for the most common object, which is neither plain nor a number
        return _handle(value) if number is _NOT_PLAIN else number
    if mode == _ARRAY:
        contents = _arrays.contents(value, _handle)
        if contents is not None:
            return contents
    return _plain_value(value)


def _handle(value):
    global _next_handle
    kind = type(value)
    name = _type_names.get(kind)
    if name is None:
        name = _type_name(kind)
        if name == "module":
            name = "module " + getattr(value, "__name__", "?")  # numpy's handle reads <module numpy #1>
            kind = None
        if kind is not None:
            if len(_type_names) >= 1024:
                _type_names.clear()
            _type_names[kind] = name
    key = id(value)
    with _lock:
        handle = _handles.get(key)
        if handle is None:
            _next_handle += 1
            handle = _next_handle
            _handles[key] = handle
            _table[handle] = [value, 1]
        else:
            _table[handle][1] += 1
    return (1, handle, name)


def _type_name(kind):
    module = getattr(kind, "__module__", None)
    name = getattr(kind, "__qualname__", None) or getattr(kind, "__name__", "?")
    return name if module in (None, "builtins") else "%s.%s" % (module, name)


def _plain(value, depth):
    """``value`` itself when it is plain data of the exact plain types, a copy when it holds numpy scalars; else
    raises _NotPlain."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if depth < _MAX_DEPTH:
        if kind in _SEQUENCES:
            scalars = _SCALARS
            for element in value:
                if type(element) not in scalars:
                    break
            else:
                return value
            return kind([_plain(element, depth + 1) for element in value])
        if kind is dict:
            scalars = _SCALARS
            for key, element in value.items():
                if type(key) not in scalars or type(element) not in scalars:
                    break
            else:
                return value
            return {_plain(key, depth + 1): _plain(element, depth + 1) for key, element in value.items()}
    number = _number(value)
    if number is _NOT_PLAIN:
        raise _NotPlain
    return number


def _number(value):
    # numpy's bool, integer and floating scalars; numpy is loaded when one exists.
    numpy = sys.modules.get("numpy")
    if numpy is None or not isinstance(value, numpy.generic):
        return _NOT_PLAIN
    if isinstance(value, (numpy.bool_, numpy.integer, numpy.floating)) and not isinstance(value, numpy.timedelta64):
        number = value.item()
        if type(number) in (bool, int, float):
            return number
    return _NOT_PLAIN


def _plain_value(value):
    """The reply for an object asked for as plain data: values of subclasses become their plain type (as for the
    results of calls), numpy arrays and scalars their ``tolist()``; (6, type name) when it has no plain form."""
    try:
        plain = _values.check(value, "the value")
    except TypeError:
        tolist = getattr(value, "tolist", None)
        numpy = sys.modules.get("numpy")
        if tolist is None or numpy is None or not isinstance(value, (numpy.ndarray, numpy.generic)):
            return (6, _type_name(type(value)))
        try:
            plain = _values.check(tolist(), "the value")
        except TypeError:
            return (6, _type_name(type(value)))
    return (0, plain) if type(plain) is tuple else plain
