"""A run takes on its caller's process state, as an exec'd ``python3`` inherits it: niceness, CPU affinity,
resource limits, ignored signals and the signal mask.

The client reads its own state before it installs its forwarding handlers and sends it as the request's ``state``
(a dict: ``nice``, ``affinity``, ``limits`` as ``(resource, soft, hard)`` with -1 for unlimited, ``ignored`` and
``blocked`` signal numbers). The daemon leaves to the client any run whose state the zygote could not grant (a
hard limit above its own, a lower niceness), so what is asked here is allowed; a call that fails all the same is
skipped rather than ending a run that has begun.
"""

import os
import signal

import _signal

try:
    import resource
except ImportError:  # pragma: no cover - not a POSIX system
    resource = None

# The interpreter's start-up ignores these whatever it inherits; a run has them so already.
_START_UP_IGNORED = frozenset(number for number in (getattr(signal, "SIGPIPE", None), getattr(signal, "SIGXFSZ", None))
                              if number is not None)
_UNCATCHABLE = frozenset((signal.SIGKILL, signal.SIGSTOP))
_LIMITS = 16  # RLIMIT_CPU … RLIMIT_RTTIME on Linux


def apply(state):
    """Gives this process the caller's ``state`` (see the module's description); None leaves it as it is."""
    if state is None:
        return
    _set_niceness(state.get("nice"))
    _set_affinity(state.get("affinity"))
    _set_limits(state.get("limits", ()))
    _set_dispositions(frozenset(state.get("ignored", ())))
    signal.pthread_sigmask(signal.SIG_SETMASK, [number for number in state.get("blocked", ())
                                                if 0 < number < signal.NSIG])


def own():
    """This process's state in the request's form: what :func:`apply` would leave exactly as it is (a spare walks
    the run's set-up with it ahead of the run, see ``jinn._spare``)."""
    state = {"nice": os.getpriority(os.PRIO_PROCESS, 0),
             "ignored": [number for number in range(1, _signal.NSIG) if _is_ignored(number)],
             "blocked": sorted(int(number) for number in signal.pthread_sigmask(signal.SIG_BLOCK, []))}
    if hasattr(os, "sched_getaffinity"):
        state["affinity"] = sorted(os.sched_getaffinity(0))
    if resource is not None:
        limits = []
        for number in range(_LIMITS):
            try:
                soft, hard = resource.getrlimit(number)
            except (OSError, ValueError):  # a resource this system does not have
                continue
            limits.append((number, -1 if soft == resource.RLIM_INFINITY else soft,
                           -1 if hard == resource.RLIM_INFINITY else hard))
        state["limits"] = limits
    return state


def _is_ignored(number):
    try:
        return _signal.getsignal(number) == _signal.SIG_IGN
    except (OSError, ValueError):
        return False


def descriptor_limit(state):
    """The caller's soft descriptor limit (``RLIMIT_NOFILE``), or None when unlimited or not known."""
    if state is None or resource is None:
        return None
    for number, soft, _ in state.get("limits", ()):
        if number == resource.RLIMIT_NOFILE:
            return soft if soft >= 0 else None
    return None


def _set_niceness(niceness):
    if niceness is None:
        return
    try:
        if os.getpriority(os.PRIO_PROCESS, 0) != niceness:
            os.setpriority(os.PRIO_PROCESS, 0, niceness)
    except OSError:
        pass


def _set_affinity(cpus):
    if not cpus or not hasattr(os, "sched_setaffinity"):
        return
    try:
        if os.sched_getaffinity(0) != set(cpus):
            os.sched_setaffinity(0, cpus)
    except OSError:  # CPUs the run's cgroup does not have
        pass


def _set_limits(limits):
    if resource is None:
        return
    infinity = resource.RLIM_INFINITY
    for number, soft, hard in limits:
        wanted = (infinity if soft < 0 else soft, infinity if hard < 0 else hard)
        try:
            if resource.getrlimit(number) != wanted:
                resource.setrlimit(number, wanted)
        except (OSError, ValueError):
            pass


def _set_dispositions(ignored):
    """Ignores what the caller ignored, and puts back the default of what it did not but this process ignores."""
    # The C module's functions: ``signal``'s wrappers turn every handler into an enum, tens of times slower, and
    # this looks at every signal on every run. ``signal.getsignal`` shows what they set all the same.
    getsignal, setsignal, ignore, default = _signal.getsignal, _signal.signal, _signal.SIG_IGN, _signal.SIG_DFL
    for number in range(1, _signal.NSIG):
        if number in _UNCATCHABLE or number in _START_UP_IGNORED:
            continue
        try:
            current = getsignal(number)
            if number in ignored:
                if current != ignore:
                    setsignal(number, ignore)
            elif current == ignore:
                setsignal(number, default)
        except (OSError, ValueError):  # a number the C library keeps for itself
            pass
