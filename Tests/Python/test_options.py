"""Unit tests of what python3's options mean for a run (jinn._options) and of a script read from standard input
(jinn._runner), against python3 itself."""

import os
import subprocess
import sys
import textwrap
import unittest

import support
from jinn import _options

# The zygote child's way of running a script on standard input, as _child does it.
_CHILD = textwrap.dedent('''\
    import os, sys
    sys.path.append(%(source)r)
    from jinn import _ending, _runner
    try:
        _runner.run_entry("script", "-", %(argv)r, os.getcwd(), orig_argv=%(orig)r)
    except SystemExit as exit:
        status = _ending.system_exit_status(exit)
    except BaseException as error:
        _ending.print_uncaught(error)
        status = 1
    else:
        status = 0
    raise SystemExit(status)
    ''')

_PROBE = textwrap.dedent('''\
    import sys, __main__
    print(sys.argv, repr(sys.path[0]), sys.orig_argv[1:], __name__, __main__.__file__, __main__.__cached__)
    print(type(__loader__).__name__, __spec__, repr(sys.stdin.read()))
    def fails():
        return 1 / 0
    fails()
    ''')


class OptionsTests(unittest.TestCase):
    def test_a_plain_request_has_no_command_line_of_its_own(self):
        self.assertIsNone(_options.command_line({}))
        self.assertIsNone(_options.command_line({"options": None}))

    def test_the_command_line_is_the_typed_one_after_the_interpreter(self):
        request = {"options": {"interpreter": [b"-u", b"-B"], "orig_argv": [b"-uB", b"-", b"\xff"]}}
        self.assertEqual(_options.command_line(request), [sys.executable, "-uB", "-", os.fsdecode(b"\xff")])

    def test_minus_u_or_the_variable_unbuffers_the_run(self):
        with_u = {"options": {"interpreter": [b"-O", b"-u"], "orig_argv": []}}
        self.assertTrue(_options.unbuffered(with_u, {}))
        self.assertFalse(_options.unbuffered({}, {}))
        # The variable counts unless the interpreter ignores the environment, which this test's does not.
        self.assertEqual(_options.unbuffered({}, {b"PYTHONUNBUFFERED": b"1"}), not sys.flags.ignore_environment)
        self.assertFalse(_options.unbuffered({}, {b"PYTHONUNBUFFERED": b""}))

    def test_an_option_value_spelled_like_a_flag_is_a_value(self):
        self.assertFalse(_options.unbuffered({"options": {"interpreter": [b"-X", b"-u"], "orig_argv": []}}, {}))
        self.assertFalse(_options.unbuffered({"options": {"interpreter": [b"-W", b"-u"], "orig_argv": []}}, {}))
        self.assertEqual(_options._flags([b"-W", b"-u", b"-u", b"-X", b"dev", b"-B"]), [b"-W", b"-u", b"-X", b"-B"])


class StandardInputScriptTests(unittest.TestCase):
    def run_both(self, source, argv):
        env = dict(os.environ, PYTHONUNBUFFERED="")
        options = argv[:-1] if argv and argv[-1] == "-" else []
        expected = subprocess.run([sys.executable] + argv, input=source, capture_output=True, text=True, env=env)
        child_argv = ["-"] if "-" in argv else [""]
        code = _CHILD % {"source": support.SOURCE, "argv": child_argv, "orig": [sys.executable] + options + argv[len(options):]}
        actual = subprocess.run([sys.executable, "-c", code], input=source, capture_output=True, text=True, env=env)
        return (actual.returncode, actual.stdout, actual.stderr), (expected.returncode, expected.stdout, expected.stderr)

    def test_a_script_on_standard_input_runs_as_under_python3(self):
        for argv in (["-"], []):
            actual, expected = self.run_both(_PROBE, argv)
            self.assertEqual(actual, expected, argv)
            self.assertIn('File "<stdin>", line 6', expected[2])

    def test_a_syntax_error_and_an_exit_status(self):
        for source in ("print('ok')\nx = (\n", "import sys\nsys.exit(7)\n", "# coding: latin-1\nprint('\xe9')\n",
                       "\n# -*- coding: utf_8 -*-\nprint(1)\n", "#!/bin/x\n# vim: set fileencoding=utf8 :\nprint(2)\n",
                       "print(3)\n# coding: bogus\n", "# coding: UTF-8\nprint(4)\n", "#\n#\n# coding: ascii\nprint(5)\n"):
            actual, expected = self.run_both(source, ["-"])
            self.assertEqual(actual, expected, source)


if __name__ == "__main__":
    unittest.main()
