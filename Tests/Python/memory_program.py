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
    status, _, stderr, messages = run_in(modules, "/", entry, argv, handlers, timeout)
    return status, stderr, messages


def run_in(modules, cwd, entry=("module", "__main__"), argv=None, handlers=None, timeout=30):
    """Runs the program as :func:`run` does, in the working directory ``cwd``; returns ``(exit status, stdout
    text, stderr text, messages the program sent)``."""
    messages = []
    child, ours = start(describe(modules, entry, argv), cwd, subprocess.PIPE, subprocess.PIPE)
    try:
        reader = threading.Thread(target=_serve, args=(ours, messages, handlers or {}), daemon=True)
        reader.start()
        stdout, stderr = (text.decode("utf-8", "replace") for text in child.communicate(timeout=timeout))
        reader.join(timeout)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        ours.close()
    return child.returncode, stdout, stderr, messages


def describe(modules, entry=("module", "__main__"), argv=None, values=None, listen=True):
    """The program as the Swift side sends it: ``modules`` maps module names to source text (a name ending in
    ``.__init__`` is a package), the ``jinn`` package is added."""
    program_modules = []
    for name, source in modules.items():
        is_package = name.endswith(".__init__")
        name = name[:-len(".__init__")] if is_package else name
        program_modules.append((name, virtual_path(name, is_package), source, is_package, None))
    if argv is None:
        argv = [{"module": virtual_path(entry[1], False), "script": entry[1]}.get(entry[0], "-c")]
    return {
        "modules": _package_modules() + program_modules,
        "entry": entry,
        "argv": argv,
        "values": values or {},
        "maximum_message_size": 1 << 20,
        "code_magic": None,
        "stage_was_compiled": False,
        "listen": listen,
        "shared_memory": None,
        "busy_poll": 0.0,
        "channel_out": 3,
    }


def start(program, cwd, stdout, stderr, preexec_fn=None):
    """Starts an interpreter on the program through the bootstrap, its channel a socket on descriptor 3 as the
    daemon gives one to a zygote; returns the process and this side's end of the socket."""
    with open(os.path.join(_PACKAGE, "_importer.py"), "rb") as file:
        stage = file.read()
    ours, theirs = socket.socketpair()
    try:
        command = [sys.executable, "-u", "-c", first_stage()]
        fd = theirs.fileno()
        if fd != 3:  # a shell moves the socket to descriptor 3 and becomes the interpreter (bash: any fd number)
            command = ["/bin/bash", "-c", 'exec "$0" "$@" 3<&%d %d<&-' % (fd, fd)] + command
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                                 pass_fds=(fd,), cwd=cwd, preexec_fn=preexec_fn)
    except BaseException:
        ours.close()
        raise
    finally:
        theirs.close()
    ours.sendall(_frame(b"s" + stage) + _frame(marshal.dumps(program)))
    return child, ours


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
