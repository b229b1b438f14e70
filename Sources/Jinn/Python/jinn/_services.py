"""Python services: objects whose public methods the Swift side calls, created from Swift or exposed by name.

A call's target ``(key, method name)`` names a method of an instance created with :func:`create_service` (``key``
its handle) or of an object exposed with ``jinn.expose(obj, name=key)``.
"""

import _thread

import jinn
from jinn._targets import resolve

_instances = {}                      # handle -> service object created from Swift
_lock = _thread.allocate_lock()
_last_handle = 0


def method(target):
    """The bound method a service call names: ``(key, name)``."""
    key, name = target
    obj = _service_object(key)
    if not name or name.startswith("_"):
        raise AttributeError("%r is not an exposed method: names starting with '_' are private" % name)
    found = getattr(obj, name)
    if not callable(found):
        raise TypeError("%s.%s is not a method" % (type(obj).__name__, name))
    return found


def _service_object(key):
    if type(key) is int:
        target = _instances.get(key)
        if target is None:
            raise LookupError("the service instance %d no longer exists (it was closed)" % key)
        return target
    target = jinn.exposed.get(key)
    if target is None:
        names = ", ".join(sorted(jinn.exposed)) or "none"
        raise LookupError("no service is exposed under the name %r (exposed: %s)" % (key, names))
    return target


def create_service(class_name, args, kwargs):
    """Creates an instance of an exposed class for the Swift side; returns its handle."""
    global _last_handle
    cls = resolve(class_name)
    if not isinstance(cls, type):
        raise TypeError("%r is not a class" % class_name)
    if not getattr(cls, "__jinn_exposed__", False):
        raise TypeError("%s is not exposed: decorate the class with @jinn.expose or derive it from jinn.Service"
                        % class_name)
    instance = cls(*args, **kwargs)
    with _lock:
        _last_handle += 1
        handle = _last_handle
        _instances[handle] = instance
    return handle


def release_service(handle):
    """Forgets an instance created with :func:`create_service`."""
    with _lock:
        _instances.pop(handle, None)


def describe_service(key):
    """The exposed methods of a service: ``[(name, signature, docstring, is_async), ...]``."""
    import inspect
    obj = _service_object(key)
    methods = []
    for name in sorted(dir(obj)):
        if name.startswith("_"):
            continue
        raw = inspect.getattr_static(obj, name, None)
        if isinstance(raw, (staticmethod, classmethod)):
            raw = raw.__func__
        if not (inspect.isfunction(raw) or inspect.isbuiltin(raw) or inspect.ismethoddescriptor(raw)):
            continue  # properties and data are not methods, and reading a property could run code
        bound = getattr(obj, name)
        try:
            signature = str(inspect.signature(bound))
        except (TypeError, ValueError):
            signature = "(...)"
        methods.append((name, signature, inspect.getdoc(bound) or "", inspect.iscoroutinefunction(bound)))
    return methods
