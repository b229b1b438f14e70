"""What python3's command-line options mean for one run, beyond the start-up its zygote already had.

The client sends a run's options (``request["options"]``) only when its command line has python3 options or reads
the script from standard input: ``interpreter``, the start-up options one word each (the zygote was started with
all of them but ``-u`` and ``-x``), and ``orig_argv``, the words after the interpreter's name as typed. A run
without them is a plain ``python3 SCRIPT`` run.
"""

import sys


def command_line(request):
    """``sys.orig_argv`` as python3 would have it for this request, or None for a plain command line."""
    options = request.get("options")
    if options is None:
        return None
    return [sys.executable] + [_decode(word) for word in options["orig_argv"]]


def unbuffered(request, environment):
    """Whether the run's stdout and stderr are unbuffered: ``-u``, or ``PYTHONUNBUFFERED`` in ``environment`` (a
    dict of bytes) unless the interpreter ignores the environment (``-E``, ``-I``)."""
    options = request.get("options")
    if options is not None and b"-u" in _flags(options["interpreter"]):
        return True
    return not sys.flags.ignore_environment and bool(environment.get(b"PYTHONUNBUFFERED"))


def skips_first_line(request):
    """Whether the run skips its script file's first line (``-x``), keeping its newline so that line numbers are
    the file's, as python3 does."""
    options = request.get("options")
    return options is not None and b"-x" in _flags(options["interpreter"])


def _flags(words):
    # The values of -W, -X and --check-hash-based-pycs are not flags, whatever they spell.
    flags, takes_value = [], False
    for word in words:
        if not takes_value:
            flags.append(word)
        takes_value = not takes_value and word in (b"-W", b"-X", b"--check-hash-based-pycs")
    return flags


def _decode(word):
    import os

    return os.fsdecode(word)
