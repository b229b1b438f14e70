"""The Python half of shared memory (jinn._segments, jinn._shared, jinn._semaphores): names, segments and their
owners, the array header, views and their mappings, anonymous segments over a descriptor socket, semaphores."""

import _multiprocessing
import gc
import os
import socket
import subprocess
import sys
import unittest

import support  # noqa: F401  (puts the jinn sources on the path)

import jinn
from jinn import _segments, _semaphores, _shared

import numpy


def unique(label):
    return "jinn-py-%s-%d" % (label, os.getpid())


def exists(name):
    return os.path.exists("/dev/shm/" + name)


class NameTests(unittest.TestCase):
    def test_names_are_checked_as_on_the_swift_side(self):
        self.assertEqual(_segments.system_name("abc"), "/abc")
        self.assertEqual(_segments.system_name("/abc"), "/abc")
        for bad, words in (("", "empty"), ("a" * 31, "longer than 30"), ("a/b", "only letters"), ("..", "only")):
            with self.assertRaises(ValueError) as caught:
                _segments.system_name(bad)
            self.assertIn(words, str(caught.exception))


class SegmentTests(unittest.TestCase):
    def test_creating_opening_and_unlinking(self):
        name = unique("seg")
        created = jinn.create_shared_memory(name, 100)
        created.buf[0] = 42
        opened = jinn.open_shared_memory(name)
        self.assertEqual((opened.size, opened.buf[0]), (100, 42))
        opened.close()
        self.assertTrue(exists(name))
        with self.assertRaises(FileExistsError):
            jinn.create_shared_memory(name, 10)
        jinn.unlink_shared_memory(name)
        self.assertFalse(exists(name))
        created.close()
        with self.assertRaises(FileNotFoundError) as caught:
            jinn.open_shared_memory(name)
        self.assertIn("no shared memory named %r exists" % name, str(caught.exception))

    def test_multiprocessing_opens_the_same_names(self):
        from multiprocessing import resource_tracker, shared_memory

        name = unique("mp")
        created = jinn.create_shared_memory(name, 64)
        try:
            created.buf[3] = 33
            other = shared_memory.SharedMemory(name)
            resource_tracker.unregister(other._name, "shared_memory")  # it registers what it opens (issue 82300)
            self.assertEqual(other.buf[3], 33)
            other.close()
        finally:
            created.close()
            jinn.unlink_shared_memory(name)

    def test_bad_sizes(self):
        for size, error in ((0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)):
            with self.assertRaises(error):
                jinn.create_shared_memory(unique("size"), size)
        self.assertFalse(exists(unique("size")))

    def test_closing_is_refused_while_views_exist(self):
        name = unique("views")
        segment = jinn.create_shared_memory(name, 4096)
        try:
            view = numpy.frombuffer(segment.buf, dtype=numpy.uint8)
            with self.assertRaises(BufferError) as caught:
                segment.close()
            self.assertIn("numpy arrays or memoryviews", str(caught.exception))
            view[0] = 7  # still mapped: no crash
            self.assertEqual(segment.buf[0], 7)
            del view
            held = jinn.open_shared_memory(name)
            head, _ = _shared.header(numpy.dtype("float64"), (2, 3), "F")
            held.buf[:len(head)] = head
            columns = _shared.array_over(held, "test")[:, 1:]  # a view of the array over the segment
            with self.assertRaises(BufferError):
                held.close()
            columns[0, 0] = 5.0
            del columns
            held.close()
            segment.close()
            segment.close()
        finally:
            jinn.unlink_shared_memory(name)

    def test_what_a_process_only_opened_survives_its_exit(self):
        # Python 3.9-3.12's resource tracker unlinks segments a process only opened (CPython issue 82300).
        name = unique("survives")
        owner = jinn.create_shared_memory(name, 64)
        try:
            program = ("import sys; sys.path.insert(0, %r); import jinn; s = jinn.open_shared_memory(%r); "
                       "s.buf[1] = 9; s.close(); a = jinn.open_shared_memory(%r)" % (support.SOURCE, name, name))
            subprocess.run([sys.executable, "-c", program], check=True)
            self.assertTrue(exists(name))
            self.assertEqual(owner.buf[1], 9)
        finally:
            owner.close()
            jinn.unlink_shared_memory(name)

    def test_what_a_process_created_goes_when_it_is_killed(self):
        name = unique("killed")
        program = ("import sys, time; sys.path.insert(0, %r); import jinn; jinn.create_shared_array(%r, 8); "
                   "print('made', flush=True); time.sleep(60)" % (support.SOURCE, name))
        child = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.assertEqual(child.stdout.readline(), b"made\n")
        self.assertTrue(exists(name))
        child.kill()
        child.wait()
        child.stdout.close()
        for _ in range(500):  # the tracker notices its pipe's end, then unlinks
            if not exists(name):
                break
            subprocess.run(["sleep", "0.02"])
        self.assertFalse(exists(name))

    def test_numpy_is_imported_only_for_arrays(self):
        name = unique("lazy")
        owner = jinn.create_shared_memory(name, 64)
        try:
            program = ("import sys; sys.path.insert(0, %r); import jinn; jinn.open_shared_memory(%r).close(); "
                       "jinn.SharedArrayError; print('numpy' in sys.modules)" % (support.SOURCE, name))
            result = subprocess.run([sys.executable, "-c", program], check=True, capture_output=True, text=True)
            self.assertEqual(result.stdout, "False\n")
        finally:
            owner.close()
            jinn.unlink_shared_memory(name)


class ArrayTests(unittest.TestCase):
    def test_an_array_python_creates_reads_back_with_its_header(self):
        name = unique("array")
        array = jinn.create_shared_array(name, (2, 3), "int32", "F")
        try:
            array[...] = numpy.arange(6, dtype=numpy.int32).reshape(2, 3)
            again = jinn.shared_array(name)
            self.assertEqual((again.dtype.str, again.shape), ("<i4", (2, 3)))
            self.assertTrue(again.flags.f_contiguous and not again.flags.c_contiguous)
            self.assertEqual(again.tolist(), [[0, 1, 2], [3, 4, 5]])
            self.assertEqual(again.__array_interface__["data"][0] % 64, 0)  # the data is aligned to 64 bytes
        finally:
            jinn.unlink_shared_memory(name)

    def test_views_keep_their_mapping_after_the_segment_is_dropped(self):
        name = unique("keeps")
        array = jinn.create_shared_array(name, 1000, "float64")
        array[:] = 2
        jinn.unlink_shared_memory(name)
        view = array[10:20]
        del array
        gc.collect()
        self.assertEqual(view.sum(), 20.0)

    def test_headers_that_do_not_match(self):
        name = unique("header")
        segment = jinn.create_shared_memory(name, 4096)
        try:
            head, _ = _shared.header(numpy.dtype("float32"), (4,), "C")
            for offset, value, words in ((0, b"X", "its magic is"), (8, b"\x02", "its version is 2"),
                                         (16, b">", "dtype is >f4"), (32, b"\x63", "data size is 99 bytes"),
                                         (64, b"\xff", "data size is 16 bytes, expected 1020")):
                segment.buf[:len(head)] = head
                segment.buf[offset:offset + 1] = value
                with self.assertRaises(jinn.SharedArrayError) as caught:
                    jinn.shared_array(name)
                self.assertIn(words, str(caught.exception))
            large, _ = _shared.header(numpy.dtype("float32"), (2000,), "C")
            segment.buf[:len(large)] = large
            with self.assertRaises(jinn.SharedArrayError) as caught:
                jinn.shared_array(name)
            self.assertIn("describes shape (2000,) (8128 bytes with the header), but the segment has only 4096",
                          str(caught.exception))
        finally:
            segment.close()
            jinn.unlink_shared_memory(name)

    def test_bad_shapes_and_dtypes_create_nothing(self):
        name = unique("bad")
        for shape, dtype, error in (((2, -1), "f8", jinn.SharedArrayError), ((1 << 40, 1 << 40), "f8",
                                    jinn.SharedArrayError), ((2,), "U3", TypeError), ((2,), "O", TypeError)):
            with self.assertRaises(error):
                jinn.create_shared_array(name, shape, dtype)
        self.assertFalse(exists(name))


class AnonymousSegmentTests(unittest.TestCase):
    def setUp(self):
        self.swift, child = socket.socketpair()
        self.addCleanup(self.swift.close)
        self.saved = (jinn._descriptor_socket, _segments._socket)
        jinn._descriptor_socket = child.detach()
        _segments._socket = None

    def tearDown(self):
        if _segments._socket is not None:
            _segments._socket.close()
        jinn._descriptor_socket, _segments._socket = self.saved

    def send_segment(self, token, array):
        """What the Swift side does: a memfd holding a shared array, sent with its token."""
        head, nbytes = _shared.header(array.dtype, array.shape, "C")
        fd = os.memfd_create("test")
        offset = _shared.data_offset(array.ndim)
        os.ftruncate(fd, offset + nbytes)
        os.pwrite(fd, head, 0)
        os.pwrite(fd, array.tobytes(), offset)
        socket.send_fds(self.swift, [token.to_bytes(8, "little")], [fd])
        os.close(fd)

    def test_arguments_become_views_and_descriptors_may_arrive_ahead(self):
        self.send_segment(5, numpy.arange(3, dtype=numpy.float32))
        self.send_segment(6, numpy.ones((2, 2)))
        self.assertEqual(_shared.invoke("numpy.sum", (("jinn.shared", 6, None),), {}), 4.0)
        self.assertEqual(_shared.invoke("numpy.sum", (("jinn.shared", 5, None),), {}), 3.0)
        self.assertEqual(_shared.invoke("numpy.sum", (("jinn.shared", 6, None),), {"axis": 0}).tolist(), [2, 2])
        view = _shared.view(("jinn.shared", 6, None))
        _shared.forget(6)
        self.assertEqual(view.sum(), 4.0)  # forgotten, but the view keeps its mapping
        _shared.forget(5)

    def test_a_segment_no_call_claimed_is_closed_when_swift_forgets_it(self):
        self.send_segment(7, numpy.ones(2))
        self.send_segment(8, numpy.ones(3))
        self.assertEqual(_shared.invoke("numpy.sum", (("jinn.shared", 8, None),), {}), 3.0)
        self.assertIn(7, _segments._arrived)  # read on the way to 8
        descriptor = _segments._arrived[7]
        _shared.forget(7)
        self.assertNotIn(7, _segments._arrived)
        with self.assertRaises(OSError):
            os.fstat(descriptor)
        _shared.forget(8)

    def test_results_are_written_once_into_a_new_segment(self):
        self.assertEqual(_shared.invoke_into("numpy.arange", "<f4", 12, (4,), {}), 12)
        data, fds, _, _ = socket.recv_fds(self.swift, 8, 1)
        self.assertEqual(int.from_bytes(data, "little"), 12)
        with open(fds[0], "rb") as file:
            contents = file.read()
        head, _ = _shared.header(numpy.dtype("<f4"), (4,), "C")
        self.assertEqual(contents[:len(head)], head)
        self.assertEqual(numpy.frombuffer(contents, numpy.float32, 4, _shared.data_offset(1)).tolist(), [0, 1, 2, 3])
        with self.assertRaises(TypeError):
            _shared.invoke_into("numpy.arange", "<i2", 13, (1.5,), {})  # float64 does not become int16

    def test_a_process_without_the_socket_says_so(self):
        jinn._descriptor_socket, _segments._socket = None, None
        with self.assertRaises(RuntimeError) as caught:
            _segments.receive(99)
        self.assertIn("no descriptor socket", str(caught.exception))


class SemaphoreTests(unittest.TestCase):
    def setUp(self):
        self.name = unique("sem")
        # What Swift's SharedSemaphore(creating:) makes: a named POSIX semaphore.
        self.owner = _multiprocessing.SemLock(1, 0, 2147483647, "/" + self.name, False)
        self.addCleanup(_multiprocessing.sem_unlink, "/" + self.name)

    def test_semaphores_count_and_time_out_below_a_second(self):
        semaphore = jinn.SharedSemaphore(self.name)
        self.assertFalse(semaphore.acquire(0.01))
        self.assertFalse(semaphore.acquire(0))
        self.owner.release()
        self.assertTrue(semaphore.acquire(0.01))
        semaphore.release()
        self.assertTrue(self.owner.acquire(False))

    def test_an_event_is_a_flag_and_its_guard(self):
        guard = _multiprocessing.SemLock(1, 1, 2147483647, "/" + self.name + ".l", False)
        self.addCleanup(_multiprocessing.sem_unlink, "/" + self.name + ".l")
        event = jinn.SharedEvent(self.name)
        self.assertFalse(event.is_set())
        self.assertFalse(event.wait(0.01))
        event.set()
        event.set()
        self.assertTrue(event.wait(0.01) and event.wait(0) and event.is_set())
        event.clear()
        self.assertFalse(event.is_set())
        del guard

    def test_a_missing_semaphore_is_named(self):
        with self.assertRaises(FileNotFoundError) as caught:
            jinn.SharedLock(unique("missing"))
        self.assertIn("no semaphore named", str(caught.exception))
        self.assertIs(jinn.SharedLock, _semaphores.SharedLock)


if __name__ == "__main__":
    unittest.main()
