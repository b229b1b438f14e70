"""Runs a zygote's run at the bottom of the stack: no frame of Jinn's lies below the program's first.

Under ``python3`` the interpreter's C code calls a script, so the script's module frame has no ``f_back``:
``traceback.print_stack``, ``inspect.stack()``, ``sys._getframe``, ``logging``'s ``stack_info`` and
``warnings``' ``stacklevel`` find nothing below it, and ``RecursionError`` comes at the limit's depth. A run-to-be
is forked deep inside the zygote's loop; this module gets its programs called from C all the same.

The steps, in the order they must happen:

1. The run-to-be, just forked by its spare (``jinn._spare``), holds its first program (a callable without
   arguments that adds no frame of its own, ``jinn._runner.Entry``). :func:`unwind` raises :class:`Unwinding`,
   whose argument holds the only references to the :class:`_Runner` objects, and the exception leaves every
   frame: the spare's, the zygote's loop, the bootstrap's and its ``-c`` code. Each handler on that path lets it
   through (``jinn._runner.run``).
2. The interpreter prints the ``-c`` code's uncaught exception (``PyErr_Print``) by calling ``sys.excepthook``, here
   :func:`_unwound`, with no Python frame left. It removes the ``sys.last_*`` the printer set and keeps the
   traceback, so that the zygote's frames, and what only they hold, are never freed in the child: a socket freed
   later would close a descriptor number that is the run's by then.
3. The printer then drops the exception, and with it the first runner, whose ``__del__`` (called by the
   interpreter's finalizer slot) is ``next(map(list, iter(steps.pop, None)))``: ``iter`` hands over the one
   :class:`_Step`, ``list(step)`` asks for its ``__iter__``, which is the program. The program runs, with no frame
   below it. (One step of the map, because anything that iterates it to its end would take a ``StopIteration``
   the program let out for the end of the map.)
4. Whatever the program does, ``list(step)`` fails: with the program's exception, or with the ``TypeError``
   the interpreter raises for the program's result, which is not an iterator. That one has no traceback, since it
   was raised outside any frame: it is how a program that returned is told from one that raised.
5. ``map`` then drops the step, whose ``__del__`` (:func:`_arm`) puts the end in ``sys.unraisablehook`` (the program
   may have put its own there, as CPython's regression tests do), and the failure reaches the runner's finalizer
   slot, which hands it to that hook: the program's hook goes back, and ``end(outcome)`` ends the run,
6. or returns what to run next: the hook stages it and returns, and once the finalizer is done, the runner lets
   go of the next runner, which runs it as in steps 3 to 5. A spare's programs are a rehearsal of this passage
   (so that its pages are the run's own before anyone waits), then the wait for the request and the run's
   set-up, then the run's program, then the interactive loop of ``python3 -i``, then the calls the interpreter's
   shutdown makes into the program's code (``threading._shutdown``, ``atexit``'s callbacks).

Python 3.9 to 3.11 count each call of a built-in function against the recursion limit, and ``next`` is one; the
other calls in the chain are types', partials' and functions', which they do not count. So there the program has
one frame less before ``RecursionError`` than under python3; from 3.12 on, which counts Python frames only, none
less.
"""

import sys
from functools import partial

# A spare's: a rehearsal, the set-up, the run's program, python3 -i's session, threading's shutdown and atexit.
MOST_PROGRAMS = 6
_KEPT = []  # the zygote's frames, kept alive (step 2)
_END = [None]  # the end staged last
_LAST_NAMES = ("last_type", "last_value", "last_traceback", "last_exc")


class Unwinding(BaseException):
    """Raised by :func:`unwind` to leave every frame of a zygote's child; no handler may keep it."""


def _nothing(*arguments):
    """What the chain's calls hold while no run is staged."""


# Each special method of the chain is a partial that a run points at its own callable in place
# (partial.__setstate__): assigning a special method to a class would make the interpreter rebuild the class's
# slots, and re-initializing a staticmethod copies its callable's attributes, each tens of microseconds. A
# staticmethod holds each partial, which Python 3.13 warns is to become a method descriptor.
_RUN_CHAIN, _STEP_END, _STEP_PROGRAM = partial(_nothing), partial(_nothing), partial(_nothing)


class _Runner:
    __slots__ = ("following",)
    __del__ = staticmethod(_RUN_CHAIN)

    def __init__(self, following=None):
        if following is not None:
            self.following = following


class _Step:
    __slots__ = ()
    __del__ = staticmethod(_STEP_END)
    __iter__ = staticmethod(_STEP_PROGRAM)


def _point(call, function, *arguments):
    call.__setstate__((function, arguments, None, None))


def unwind(entry, end):
    """Runs ``entry.program()`` (``jinn._runner.Entry``) with no frame of Jinn's below it, then ``end(outcome)``:
    ``outcome`` is None when the program returned, else the exception it raised (``SystemExit`` and
    ``KeyboardInterrupt`` included). ``end`` ends the process, or returns the ``(entry, end)`` to run next the same
    way (a spare's set-up, the run's program, the interactive session of ``python3 -i``, the calls into the
    program's code that the interpreter's shutdown makes), up to :data:`MOST_PROGRAMS` programs in all. Call it
    only in a zygote's child, from the frames the interpreter's ``-c`` code called.

    Once it has run, nothing of Jinn's refers to the program: the frames left behind are kept (step 2), and the
    program's function holds the ``__main__`` namespace, whose objects must be finalized as the run ends.
    """
    _stage(entry, end)
    sys.excepthook = _unwound
    # Each runner is freed, and runs what the end before it returned, once the one before is done with it. No frame
    # may refer to the first: it has to go with the exception.
    raise Unwinding(_runners(MOST_PROGRAMS))


def _runners(count):
    runner = None
    for _ in range(count):
        runner = _Runner(runner)
    return runner


def _stage(entry, end):
    # What the next runner to be freed runs (steps 3 to 5).
    _point(_STEP_PROGRAM, entry.program)
    entry.program = None
    _point(_STEP_END, _arm, end)
    _END[0] = end
    steps = [None, _Step()]
    _point(_RUN_CHAIN, next, map(list, iter(steps.pop, None)))


def _unwound(kind, error, traceback):
    sys.excepthook = sys.__excepthook__
    for name in _LAST_NAMES:
        sys.__dict__.pop(name, None)
    _KEPT.append(traceback)
    if not isinstance(error, Unwinding):
        # Nothing raises on the way up but an interrupt (Ctrl-C as the run-to-be starts), which took the
        # unwinding's place: the first end is given it, with the program never run (the unwinding, its context,
        # is kept, so its runners never run either).
        _KEPT.append(error.__context__)
        error.__context__ = error.__traceback__ = None
        _END[0](error)


def _arm(end):
    _point(_STEP_PROGRAM, _nothing)  # the program (and __main__'s namespace with it) let go
    _point(_STEP_END, _nothing)
    program_hook = sys.unraisablehook

    def ending_hook(unraisable):
        sys.unraisablehook = program_hook
        error = unraisable.exc_value
        returned = (type(error) is TypeError and error.__traceback__ is None and error.__context__ is None
                    and unraisable.exc_traceback is None)
        _stage(*end(None if returned else error))

    sys.unraisablehook = ending_hook
