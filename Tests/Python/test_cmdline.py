"""Unit tests of a run's command line (jinn._cmdline)."""

import os
import subprocess
import sys
import unittest

import support  # noqa: F401  (puts the embedded package on sys.path)
from jinn import _cmdline
from test_ending import in_child


class CommandLineTests(unittest.TestCase):
    def test_the_area_is_read_from_proc_stat(self):
        stat = b"12 (a name) with spaces) S " + b" ".join(str(n).encode() for n in range(4, 53))
        self.assertEqual(_cmdline.argument_area(stat), (48, 49))

    def test_the_title_fills_the_area(self):
        self.assertEqual(_cmdline.title(["py", "x.py", "a b"], 16), b"py x.py a b\0    ")
        self.assertEqual(_cmdline.title(["python3", "long.py"], 8), b"python3\0")

    @unittest.skipUnless(sys.platform.startswith("linux"), "Linux shows the argument area")
    def test_ps_shows_the_new_command_line(self):
        def child():
            _cmdline.prepare()
            done = _cmdline.set_command_line([sys.executable, "script.py", "one", "two"])
            with open("/proc/self/cmdline", "rb") as file:
                raw = file.read()
            shown = subprocess.run(["ps", "-o", "args=", "-p", str(os.getpid())], capture_output=True).stdout
            return done, raw, shown

        done, raw, shown = in_child(child)
        self.assertTrue(done)
        line = (sys.executable + " script.py one two").encode()
        self.assertEqual(raw, line + b"\0")
        self.assertEqual(shown.strip(), line)


if __name__ == "__main__":
    unittest.main()
