import os
import signal
import unittest

import support  # noqa: F401  (puts the embedded package on sys.path)

from jinn import _descriptors


def in_child(check):
    """Runs ``check`` in a forked child; returns its exit status (0 when every assertion held)."""
    pid = os.fork()
    if pid == 0:
        try:
            check()
        except BaseException as error:  # the parent reports the status; the message helps find why
            os.write(2, ("%r\n" % (error,)).encode())
            os._exit(1)
        os._exit(0)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _moved_to(fd, target):
    os.dup2(fd, target)
    os.close(fd)
    return target


def _same_file(a, b):
    first, second = os.fstat(a), os.fstat(b)
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


class InstallTests(unittest.TestCase):
    def test_descriptors_land_at_their_numbers_even_where_they_collide(self):
        def check():
            # A descriptor for number 7 arrives on 5, the one for 5 on 7, and Jinn's own on 6 and 8, in the way.
            pipes = [os.pipe() for _ in range(4)]
            # Out of the way of the numbers the test uses first.
            pipes = [(_moved_to(r, 30 + 2 * i), _moved_to(w, 31 + 2 * i)) for i, (r, w) in enumerate(pipes)]
            for_seven = _moved_to(pipes[0][1], 5)
            for_five = _moved_to(pipes[1][1], 7)
            status = _moved_to(pipes[2][1], 6)
            report = _moved_to(pipes[3][1], 8)
            marks = {7: pipes[0][0], 5: pipes[1][0]}
            roles, report = _descriptors.install({0: 0, 1: 1, 2: 2, 7: for_seven, 5: for_five, -2: status}, report)
            for number, reader in marks.items():
                os.write(number, b"%d" % number)
                assert os.read(reader, 10) == b"%d" % number, number
                assert os.get_inheritable(number), number
            assert roles[-2] > 7 and report > 7, (roles, report)
            assert not os.get_inheritable(roles[-2]) and not os.get_inheritable(report)
            os.write(roles[-2], b"s")
            assert os.read(pipes[2][0], 1) == b"s"
            os.write(report, b"r")
            assert os.read(pipes[3][0], 1) == b"r"

        self.assertEqual(in_child(check), 0)

    def test_a_standard_descriptor_not_given_is_closed_and_jinns_own_stay_above_it(self):
        def check():
            reader, writer = os.pipe()
            report = os.dup(writer)
            roles, report = _descriptors.install({0: 0, 1: 1, -2: _moved_to(writer, 2)}, report)
            try:
                os.fstat(2)
            except OSError:
                pass
            else:
                raise AssertionError("descriptor 2 is open")
            assert roles[-2] >= 3 and report >= 3
            assert os.open(os.devnull, os.O_RDONLY) == 2  # the lowest free number, as in python3 with 2>&-

        self.assertEqual(in_child(check), 0)

    def test_near_the_descriptor_limit_jinns_own_take_numbers_the_caller_did_not_ask_for(self):
        def check():
            import resource

            resource.setrlimit(resource.RLIMIT_NOFILE, (40, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
            reader, writer = os.pipe()
            given = {0: 0, 1: 1, 2: 2, 39: _moved_to(os.dup(writer), 39), 4: _moved_to(os.dup(writer), 30)}
            fds = dict(given)
            fds[-2] = _moved_to(writer, 20)
            roles, report = _descriptors.install(fds, reader)
            assert roles[-2] not in given and report not in given and min(roles[-2], report) >= 3, (roles, report)
            assert _same_file(39, roles[-2]) and _same_file(4, roles[-2])

        self.assertEqual(in_child(check), 0)

    def test_a_descriptor_already_at_its_number_becomes_inheritable(self):
        def check():
            reader, writer = os.pipe()
            target = _moved_to(os.dup(writer), 9)
            os.set_inheritable(target, False)
            _descriptors.install({0: 0, 1: 1, 2: 2, 9: target}, os.dup(reader))
            assert os.get_inheritable(9)
            assert _same_file(9, writer)

        self.assertEqual(in_child(check), 0)


class StatusTests(unittest.TestCase):
    def test_the_status_is_two_bytes_and_an_interrupt_says_sigint(self):
        for interrupted, status, expected in ((False, 3, bytes((0, 3))), (True, 1, bytes((1, signal.SIGINT)))):
            reader, writer = os.pipe()
            _descriptors.write_status({_descriptors.STATUS: writer}, interrupted, status)
            os.close(writer)
            self.assertEqual(os.read(reader, 10), expected)
            os.close(reader)

    def test_without_a_status_pipe_nothing_is_written_and_a_gone_client_is_no_error(self):
        _descriptors.write_status({}, False, 0)
        reader, writer = os.pipe()
        os.close(reader)
        previous = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        try:
            _descriptors.write_status({_descriptors.STATUS: writer}, False, 0)
        finally:
            signal.signal(signal.SIGPIPE, previous)
            os.close(writer)

    def test_close_all_but_keeps_the_report_and_the_status(self):
        def check():
            kept = [os.open(os.devnull, os.O_RDONLY) for _ in range(3)]
            other = os.open(os.devnull, os.O_RDONLY)
            _descriptors.close_all_but(kept[0], {_descriptors.STATUS: kept[2]})
            os.fstat(kept[0])
            os.fstat(kept[2])
            for fd in (kept[1], other, 0, 1):
                try:
                    os.fstat(fd)
                except OSError:
                    continue
                raise AssertionError("descriptor %d is open" % fd)

        self.assertEqual(in_child(check), 0)


if __name__ == "__main__":
    unittest.main()
