"""Tests for jinn._pages and jinn._page_lessons: the pages a run writes, learned from runs and written ahead in later
runs-to-be."""

import ctypes
import os
import resource
import sys
import tempfile
import textwrap
import time
import unittest

import support  # noqa: F401  (puts the embedded package on sys.path)
from jinn import _page_lessons, _pages
from test_zygote import Zygote, _read_all

PAGE = _pages.page_size()
LINUX = sys.platform.startswith("linux")


def in_child(body):
    """Runs ``body()`` in a forked child; returns the text of the bytes it returned."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(writer, body())
        finally:
            os._exit(0)
    os.close(writer)
    texts = {}
    _read_all(reader, texts)
    os.waitpid(pid, 0)
    return texts[reader]


def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


class RangeTests(unittest.TestCase):
    def test_only_private_writable_mappings_are_taken(self):
        maps = textwrap.dedent("""\
            00400000-00401000 r-xp 00000000 08:01 1 /usr/bin/python3
            00600000-00602000 rw-p 00000000 08:01 1 /usr/bin/python3
            7f0000000000-7f0000004000 rw-s 00000000 00:05 2 /dev/shm/segment
            7f0000010000-7f0000020000 rw-p 00000000 00:00 0
            7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]
            """)
        self.assertEqual(_pages.private_writable(maps),
                         [(0x600000, 0x602000), (0x7F0000010000, 0x7F0000020000), (0x7FFD00000000, 0x7FFD00021000)])

    def test_a_report_comes_back_whole_and_not_before(self):
        ranges = [(0x7F0000010000, 3), (0x7F0000020000, 1)]
        data = _pages.encode(ranges)
        self.assertEqual(_pages.decode(data), ranges)
        self.assertIsNone(_pages.decode(data[:-1]))
        self.assertIsNone(_pages.decode(data[:3]))
        self.assertEqual(_pages.decode(_pages.encode([])), [])

    def test_what_is_written_ahead_lies_in_the_zygotes_mappings_merged_and_bounded(self):
        mappings = [(10 * PAGE, 20 * PAGE), (40 * PAGE, 50 * PAGE)]
        learned = [(8 * PAGE, 4), (15 * PAGE, 1), (30 * PAGE, 2), (48 * PAGE, 5)]
        known = [(12 * PAGE, 2), (41 * PAGE, 1)]
        # Pages 8-9 and 52 lie outside, 30-31 in a run's own mapping; 10-11 and 12-13 meet.
        self.assertEqual(_pages.shareable(learned, known, mappings),
                         [(10 * PAGE, 4), (15 * PAGE, 1), (41 * PAGE, 1), (48 * PAGE, 2)])
        self.assertEqual(_pages.shareable(learned, known, mappings, limit=7),
                         [(10 * PAGE, 4), (15 * PAGE, 1), (41 * PAGE, 1), (48 * PAGE, 1)])
        self.assertEqual(_pages.shareable([], [], mappings), [])


class PageLessonTests(unittest.TestCase):
    """The zygote's account: which runs learn, a report in pieces, and the spares that do not write the latest."""

    def lessons(self):
        lessons = _page_lessons.PageLessons()
        lessons.write = lambda ranges: 0  # as on Linux, without writing anything
        return lessons

    def test_the_first_three_runs_learn_then_one_in_so_many(self):
        lessons = self.lessons()
        learners = [number for number in range(200) if lessons.spare_learns()]
        every = _page_lessons.RELEARN_EVERY
        self.assertEqual(learners, [0, 1, 2, every - 1, 2 * every - 1, 3 * every - 1])
        lessons.write = None
        self.assertFalse(any(lessons.spare_learns() for _ in range(10)))

    def test_a_report_in_pieces_is_taken_whole_and_spares_forked_before_are_renewed_oldest_first(self):
        lessons = self.lessons()
        for pid in (10, 11, 12):
            lessons.forked(pid, learns=pid == 10)
        self.assertTrue(lessons.handed_out(10))
        self.assertFalse(lessons.handed_out(11))
        lessons.status_reported(10, newline=True)
        report = _pages.encode([(0x7F0000010000, 2)])
        self.assertFalse(lessons.receive(10, report[:5], ended=False))
        self.assertTrue(lessons.receive(10, report[5:], ended=False))
        self.assertTrue(lessons.untaken)
        lessons._mappings = [(0x7F0000000000, 0x7F0000100000)]
        lessons.take([(12, "a"), (13, "b")])
        self.assertEqual(lessons.pages, [(0x7F0000010000, 2)])
        self.assertFalse(lessons.untaken)
        self.assertTrue(lessons.pending)
        spares = [(12, "a"), (13, "b")]
        self.assertEqual(lessons.stale_spare(spares), (12, "a"))
        self.assertEqual(lessons.stale_spare(spares), (13, "b"))
        self.assertIsNone(lessons.stale_spare(spares))
        self.assertFalse(lessons.pending)

    def test_a_run_without_a_newline_or_a_socket_that_ends_sends_no_pages(self):
        lessons = self.lessons()
        lessons.forked(20, learns=True)
        lessons.forked(21, learns=True)
        lessons.handed_out(20)
        lessons.handed_out(21)
        lessons.status_reported(20, newline=False)
        self.assertTrue(lessons.receive(20, b"", ended=False))
        lessons.status_reported(21, newline=True)
        self.assertTrue(lessons.receive(21, b"", ended=True))
        self.assertFalse(lessons.untaken)

    def test_a_learners_successor_learns_in_its_place(self):
        lessons = self.lessons()
        lessons.pages = [(0x7F0000010000, 1)]
        lessons.writes_ahead = False
        lessons.forked(30, learns=True)  # forked in a hurry: does not write ahead
        self.assertEqual(lessons.stale_spare([(30, None)]), (30, None))
        self.assertTrue(lessons.spare_learns())


@unittest.skipUnless(LINUX, "/proc/self/pagemap and MADV_POPULATE_WRITE are Linux's")
class ProcessPageTests(unittest.TestCase):
    def setUp(self):
        self.memory = bytearray(b"\x01" * (512 * PAGE))  # written in full: present in the parent
        address = ctypes.addressof((ctypes.c_char * len(self.memory)).from_buffer(self.memory))
        self.first = (address + PAGE - 1) // PAGE * PAGE  # the first whole page of the buffer
        self.offset = self.first - address

    def owned_in_memory(self, ranges):
        pages = set()
        for address, count in ranges:
            pages.update(page for page in range(address // PAGE, address // PAGE + count)
                         if self.first // PAGE <= page < self.first // PAGE + 500)
        return sorted(page - self.first // PAGE for page in pages)

    def test_a_forked_child_owns_the_pages_it_wrote_and_no_others(self):
        def body():
            for page in (3, 4, 5, 100):
                self.memory[self.offset + page * PAGE] = 2
            return repr(self.owned_in_memory(_pages.owned_pages())).encode()

        self.assertEqual(in_child(body), "[3, 4, 5, 100]")

    def test_pages_written_ahead_take_no_fault_and_keep_their_contents(self):
        write = _pages.writer()
        self.assertIsNotNone(write)

        def body():
            asked = _pages.write_ahead([(self.first + 10 * PAGE, 200)], write)
            unchanged = self.memory == b"\x01" * len(self.memory)
            before = faults()
            for page in range(10, 210):
                self.memory[self.offset + page * PAGE] = 3
            ahead = faults() - before
            before = faults()
            for page in range(250, 450):
                self.memory[self.offset + page * PAGE] = 3
            return repr((asked, unchanged, ahead, faults() - before)).encode()

        asked, unchanged, ahead, others = eval(in_child(body))
        self.assertEqual(asked, 200)
        self.assertTrue(unchanged)
        self.assertGreaterEqual(others, 200)
        self.assertLess(ahead, 20)

    def test_nothing_is_written_ahead_without_a_writer_and_a_range_not_mapped_is_passed_over(self):
        self.assertEqual(_pages.write_ahead([(self.first, 1)], None), 0)
        write = _pages.writer()
        # Nothing is mapped at address 0 (ENOMEM, not the kernel's refusal): the range after it is written all the same.
        def body():
            asked = write([(0, 1), (self.first, 100)])
            before = faults()
            for page in range(100):
                self.memory[self.offset + page * PAGE] = 4
            return repr((asked, faults() - before)).encode()

        asked, taken = eval(in_child(body))
        self.assertEqual(asked, 101)
        self.assertLess(taken, 20)


@unittest.skipUnless(LINUX, "/proc/self/pagemap and MADV_POPULATE_WRITE are Linux's")
class ZygotePageTests(unittest.TestCase):
    """A zygote learns from its first runs which pages its runs write; its later runs find them written."""

    MODULES = ["email.message", "email.parser", "json", "decimal", "pathlib", "argparse"]

    def run_touching(self, runs, pause=0.0):
        """The page faults each of ``runs`` runs took as it touched what the zygote preloaded."""
        modules = self.MODULES
        script = textwrap.dedent("""\
            import resource
            import %s
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            for module in (%s):
                for value in list(vars(module).values()):
                    for attribute in getattr(value, "__dict__", {}).values():
                        pass
            print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
            """) % (", ".join(modules), ", ".join(modules) + ",")
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "touch.py")
            with open(path, "w") as file:
                file.write(script)
            zygote = Zygote(modules)
            try:
                counts = []
                for _ in range(runs):
                    status, output, errors = zygote.run(("script", path), [path], directory)
                    self.assertEqual((status, errors), (0, ""))
                    counts.append(int(output))
                    time.sleep(pause)
            finally:
                zygote.close()
        return counts

    def test_runs_after_the_zygote_learned_do_not_fault_on_the_pages_earlier_runs_wrote(self):
        counts = self.run_touching(6, pause=0.3)
        # The first run met the pages it shares with the zygote and learned them, and in the pause after it each
        # spare, forked before, was replaced by one that writes them ahead.
        self.assertGreater(counts[0], 100, counts)
        self.assertLess(max(counts[1:]), counts[0] // 4, counts)


if __name__ == "__main__":
    unittest.main()
