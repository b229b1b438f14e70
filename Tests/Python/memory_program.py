"""Runs a program held in memory in a child interpreter through the real two-stage bootstrap, the way the Swift
side starts one (``jinn exec DIR``): the first stage on the command line, the channel on descriptor 3, the second
stage and the program sent as frames, every module (the ``jinn`` package included) served from memory."""

import marshal
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading

import support

_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
_PACKAGE = os.path.join(os.path.normpath(support.SOURCE), "jinn")


def first_stage():
    """The first stage, read from the Swift source so that the two cannot drift apart."""
    with open(os.path.join(_ROOT, "Sources", "Jinn", "Bootstrap", "Bootstrap.swift"), encoding="utf-8") as file:
        swift = file.read()
    found = re.search(r'static let firstStage = """\n(.*?)\n\s*"""', swift, re.S)
    if found is None:
        raise AssertionError("the first stage is no longer in Bootstrap.swift")
    return textwrap.dedent(found.group(1)) + "\n"


def virtual_path(name, is_package):
    relative = name.replace(".", "/")
    return "<jinn>/%s/__init__.py" % relative if is_package else "<jinn>/%s.py" % relative


def _package_modules():
    modules = []
    for filename in sorted(os.listdir(_PACKAGE)):
        if not filename.endswith(".py"):
            continue
        with open(os.path.join(_PACKAGE, filename), encoding="utf-8") as file:
            source = file.read()
        stem = filename[:-3]
        name = "jinn" if stem == "__init__" else "jinn." + stem
        modules.append((name, virtual_path(name, stem == "__init__"), source, stem == "__init__", None))
    return modules


def _frame(payload):
    return len(payload).to_bytes(4, "little") + payload


def run(modules, entry=("module", "__main__"), argv=None, handlers=None, timeout=30):
    """Runs the program; ``modules`` maps module names to source text (a name ending in ``.__init__`` is a
    package). ``handlers`` maps names of Swift handlers to functions of the request (raise to fail).
    Returns ``(exit status, stderr text, messages the program sent)``."""
    program_modules = []
    for name, source in modules.items():
        is_package = name.endswith(".__init__")
        name = name[:-len(".__init__")] if is_package else name
        program_modules.append((name, virtual_path(name, is_package), source, is_package, None))
    with open(os.path.join(_PACKAGE, "_importer.py"), "rb") as file:
        stage = file.read()
    if argv is None:
        argv = [virtual_path(entry[1], False) if entry[0] == "module" else "-c"]
    program = {
        "modules": _package_modules() + program_modules,
        "entry": entry,
        "argv": argv,
        "values": {},
        "maximum_message_size": 1 << 20,
        "code_magic": None,
        "stage_was_compiled": False,
        "listen": True,
        "shared_memory": None,
        "busy_poll": 0.0,
        "channel_out": 3,
    }
    ours, theirs = socket.socketpair()
    messages = []
    reader = threading.Thread(target=_serve, args=(ours, messages, handlers or {}), daemon=True)
    child = None
    try:
        command = [sys.executable, "-u", "-c", first_stage()]
        fd = theirs.fileno()
        if fd != 3:  # a shell moves the socket to descriptor 3 and becomes the interpreter
            command = ["/bin/sh", "-c", 'exec "$0" "$@" 3<&%d %d<&-' % (fd, fd)] + command
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, pass_fds=(fd,), cwd="/")
        theirs.close()
        reader.start()
        ours.sendall(_frame(b"s" + stage) + _frame(marshal.dumps(program)))
        stderr = child.communicate(timeout=timeout)[1].decode("utf-8", "replace")
        reader.join(timeout)
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        ours.close()
    return child.returncode, stderr, messages


def _serve(sock, messages, handlers):
    for message in support.read_messages(sock):
        messages.append(message)
        if message[0] == "swift.call":
            _, call_id, name, value = message
            try:
                if name not in handlers:
                    raise LookupError("no Swift handler is registered under the name '%s'" % name)
                reply = ("swift.result", call_id, handlers[name](value))
            except Exception as error:
                reply = ("swift.error", call_id, str(error), type(error).__name__)
            sock.sendall(_frame(marshal.dumps(reply)))
