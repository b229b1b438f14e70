import os
import resource
import signal
import unittest

import support  # noqa: F401  (puts the embedded package on sys.path)

from jinn import _process_state
from test_descriptors import in_child


class ApplyTests(unittest.TestCase):
    def test_the_callers_state_is_taken_on(self):
        def check():
            signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as a zygote started under nohup would have it
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            niceness = os.getpriority(os.PRIO_PROCESS, 0)
            cpus = sorted(os.sched_getaffinity(0))
            _process_state.apply({
                "nice": niceness + 1, "affinity": cpus[:1],
                "limits": [(resource.RLIMIT_NOFILE, 64, 64), (resource.RLIMIT_CORE, 0, 0)],
                "ignored": [signal.SIGINT, signal.SIGUSR1], "blocked": [signal.SIGUSR2],
            })
            assert os.getpriority(os.PRIO_PROCESS, 0) == niceness + 1
            assert sorted(os.sched_getaffinity(0)) == cpus[:1]
            assert resource.getrlimit(resource.RLIMIT_NOFILE) == (64, 64)
            assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
            assert signal.getsignal(signal.SIGUSR1) == signal.SIG_IGN
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_DFL
            # What the interpreter's start-up ignores stays ignored, as under python3.
            assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN
            assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == {signal.SIGUSR2}

        self.assertEqual(in_child(check), 0)

    def test_its_own_state_changes_nothing(self):
        def check():
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2])
            before = _process_state.own()
            assert signal.SIGHUP in before["ignored"] and signal.SIGUSR2 in before["blocked"]
            assert (resource.RLIMIT_NOFILE, *resource.getrlimit(resource.RLIMIT_NOFILE)) in before["limits"]
            _process_state.apply(before)
            assert _process_state.own() == before
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            assert signal.getsignal(signal.SIGINT) == signal.default_int_handler

        self.assertEqual(in_child(check), 0)

    def test_what_cannot_be_granted_is_skipped_and_none_changes_nothing(self):
        def check():
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            _process_state.apply(None)
            # A hard limit above this process's own (refused by the daemon before a run is claimed) is skipped.
            _process_state.apply({"limits": [(resource.RLIMIT_NOFILE, soft, -1)], "ignored": [], "blocked": []})
            if os.geteuid() != 0:
                assert resource.getrlimit(resource.RLIMIT_NOFILE) == (soft, hard)
            assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

        self.assertEqual(in_child(check), 0)


if __name__ == "__main__":
    unittest.main()
