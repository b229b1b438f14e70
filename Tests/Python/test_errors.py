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

    def test_a_traceback_of_only_boot_frames_is_kept_whole(self):
        try:
            exec(compile("raise ValueError('in boot')", "<jinn>/jinn/_importer.py", "exec"))
        except ValueError as error:
            tb = error.__traceback__
        self.assertIsNotNone(_errors.strip_boot_frames(tb))


if __name__ == "__main__":
    unittest.main()
