import sys
import unittest

import support  # noqa: F401

from jinn import _errors


def _raise_chain():
    try:
        {}["missing"]
    except KeyError as error:
        raise RuntimeError("wrapped") from error


class DescribeTests(unittest.TestCase):
    def test_type_message_frames_and_cause(self):
        try:
            _raise_chain()
        except RuntimeError as error:
            report = _errors.describe(error)
        self.assertEqual(report["type"], "RuntimeError")
        self.assertEqual(report["message"], "wrapped")
        self.assertEqual(report["frames"][-1][2], "_raise_chain")
        self.assertIn('raise RuntimeError("wrapped") from error', report["frames"][-1][3])
        self.assertEqual(report["cause"]["type"], "KeyError")
        self.assertIn("direct cause", report["traceback"])

    def test_syntax_error_location(self):
        try:
            compile("x = (\n", "<jinn>/broken.py", "exec")
        except SyntaxError as error:
            report = _errors.describe(error)
        self.assertEqual(report["type"], "SyntaxError")
        self.assertEqual(report["syntax"][0], "<jinn>/broken.py")
        self.assertEqual(report["syntax"][1], 1)

    def test_non_builtin_types_are_qualified(self):
        class Custom(Exception):
            pass
        self.assertEqual(_errors.type_name(Custom()), __name__ + ".DescribeTests.test_non_builtin_types_are_qualified.<locals>.Custom")

    def test_broken_str_does_not_hide_the_exception(self):
        class Unprintable(Exception):
            def __str__(self):
                raise ValueError("no")
        report = _errors.describe(Unprintable())
        self.assertEqual(report["message"], "<unprintable Unprintable>")

    def test_report_is_marshallable(self):
        import marshal
        try:
            _raise_chain()
        except RuntimeError as error:
            marshal.dumps(_errors.describe(error))


def _in_jinn(source, name="_frames_for_tests.py"):
    """Runs source text as if it were a module of the jinn package, and returns its namespace."""
    namespace = {}
    exec(compile(source, _errors.PACKAGE_DIRECTORY + name, "exec"), namespace)
    return namespace


class JinnFramesTests(unittest.TestCase):
    def setUp(self):
        self.relay = _in_jinn("def relay(callback):\n    return callback()\n")["relay"]

    def test_frames_inside_the_package_are_left_out_and_the_others_keep_their_order(self):
        def inner():
            raise ValueError("inside")

        def outer():
            return self.relay(inner)

        try:
            outer()
        except ValueError as error:
            report = _errors.describe(error)
        names = [frame[2] for frame in report["frames"]]
        self.assertEqual(names, ["test_frames_inside_the_package_are_left_out_and_the_others_keep_their_order",
                                 "outer", "inner"])
        self.assertFalse([frame for frame in report["frames"] if frame[0].startswith(_errors.PACKAGE_DIRECTORY)])
        self.assertNotIn(_errors.PACKAGE_DIRECTORY, report["traceback"])
        self.assertIn("return self.relay(inner)", report["traceback"])
        self.assertTrue(report["traceback"].endswith("ValueError: inside\n"))

    def test_the_cause_and_context_chain_leaves_them_out_too(self):
        def fail():
            raise KeyError("first")

        def handle():
            try:
                self.relay(fail)
            except KeyError:
                self.relay(lambda: {}["second"])

        def wrap():
            try:
                handle()
            except KeyError as error:
                raise RuntimeError("wrapped") from error

        try:
            wrap()
        except RuntimeError as error:
            report = _errors.describe(error)
        self.assertNotIn(_errors.PACKAGE_DIRECTORY, report["traceback"])
        self.assertIn("direct cause", report["traceback"])
        self.assertIn("During handling", report["traceback"])
        cause = report["cause"]
        self.assertEqual([frame[2] for frame in cause["frames"]], ["wrap", "handle", "<lambda>"])
        self.assertEqual([frame[2] for frame in cause["context"]["frames"]], ["handle", "fail"])
        for part in (cause, cause["context"]):
            self.assertFalse([frame for frame in part["frames"] if frame[0].startswith(_errors.PACKAGE_DIRECTORY)])
            self.assertNotIn(_errors.PACKAGE_DIRECTORY, part["traceback"])

    def test_an_error_raised_inside_the_package_keeps_the_frames_that_led_there(self):
        fail = _in_jinn("def fail():\n    raise LookupError('from jinn')\n", "_failing_for_tests.py")["fail"]

        def caller():
            fail()

        try:
            caller()
        except LookupError as error:
            report = _errors.describe(error)
        self.assertEqual([frame[2] for frame in report["frames"]][-1], "caller")
        self.assertTrue(report["traceback"].endswith("LookupError: from jinn\n"))

    def test_the_text_is_what_the_traceback_module_prints_without_those_frames(self):
        import traceback

        def inner():
            return 1 / 0

        try:
            self.relay(inner)
        except ZeroDivisionError as error:
            plain = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            text = _errors.format_exception(error)
        # The relay's file has no source to show: its frame is the one line that names it.
        expected = "".join(line for line in plain.splitlines(True) if _errors.PACKAGE_DIRECTORY not in line)
        self.assertNotEqual(expected, plain)
        self.assertEqual(text, expected)
        self.assertIn("    return 1 / 0\n", text)


class TracebackLimitTests(unittest.TestCase):
    def test_the_limit_keeps_the_innermost_frames_as_the_interpreter_prints_them(self):
        def outer():
            middle()

        def middle():
            inner()

        def inner():
            raise ValueError("deep")

        try:
            outer()
        except ValueError as error:
            caught = error
        had_limit, limit = hasattr(sys, "tracebacklimit"), getattr(sys, "tracebacklimit", None)
        sys.tracebacklimit = 2
        try:
            report = _errors.describe(caught)
        finally:
            if had_limit:
                sys.tracebacklimit = limit
            else:
                del sys.tracebacklimit
        self.assertEqual([frame[2] for frame in report["frames"]], ["middle", "inner"])
        self.assertIn("in middle\n", report["traceback"])
        self.assertNotIn("in outer\n", report["traceback"])


class StripBootFramesTests(unittest.TestCase):
    def test_leading_boot_frames_go_and_program_frames_stay(self):
        # A chain whose outer frames claim to be the bootstrap's (the -c first stage and the runner) and whose
        # innermost frame is the program's own code run with -c, which also calls itself "<string>".
        boot = {}
        exec(compile("def boot(run, main):\n    try:\n        run(main)\n    except ValueError as e:\n"
                     "        return e.__traceback__\n", "<string>", "exec"), boot)
        runner = {}
        exec(compile("def run(f):\n    return f()\n", "<jinn>/jinn/_runner.py", "exec"), runner)
        user = {}
        exec(compile("def main():\n    raise ValueError('x')\n", "<string>", "exec"), user)
        tb = boot["boot"](runner["run"], user["main"])
        stripped = _errors.strip_boot_frames(tb)
        names = []
        while stripped is not None:
            names.append((stripped.tb_frame.f_code.co_filename, stripped.tb_frame.f_code.co_name))
            stripped = stripped.tb_next
        self.assertEqual(names, [("<string>", "main")])

    def test_a_program_frame_named_string_stays_when_it_does_not_lead_into_the_bootstrap(self):
        # A function of code run with -c, called from Swift, that calls into another file.
        user = {}
        exec(compile("def main(helper):\n    helper()\n", "<string>", "exec"), user)
        helper = {}
        exec(compile("def helper():\n    raise ValueError('x')\n", "<jinn>/helper.py", "exec"), helper)
        try:
            user["main"](helper["helper"])
        except ValueError as error:
            tb = error.__traceback__.tb_next  # from the program's first frame, as the call machinery passes it
        stripped = _errors.strip_boot_frames(tb)
        self.assertIs(stripped, tb)
        report = _errors.describe(ValueError("x"), tb)
        self.assertEqual([(frame[0], frame[2]) for frame in report["frames"]],
                         [("<string>", "main"), ("<jinn>/helper.py", "helper")])

    def test_a_traceback_of_only_boot_frames_is_kept_whole(self):
        try:
            exec(compile("raise ValueError('in boot')", "<jinn>/jinn/_importer.py", "exec"))
        except ValueError as error:
            tb = error.__traceback__
        self.assertIsNotNone(_errors.strip_boot_frames(tb))


if __name__ == "__main__":
    unittest.main()
