"""The Python half of REPL sessions, driven over a real socket by a peer that speaks the protocol the way the
Swift side does. Executions run on the thread that reads the channel here, as they do in a process that is not
inside jinn.serve()."""

import itertools
import sys
import threading
import types
import unittest

import support  # noqa: F401  (puts the jinn sources on the path)

import rpc_peer

peer = None
_sessions = itertools.count(1000)


def setUpModule():
    global peer
    peer = rpc_peer.connect()


class Session:
    def __init__(self):
        self.id = next(_sessions)

    def start(self, source, interactive=False, streaming=False):
        return peer.start_call("jinn._repl.execute", self.id, source, interactive, streaming)

    def finish(self, call_id):
        """(reply message, output chunks in order)"""
        reply = peer.reply(call_id)
        chunks = []
        while True:
            try:
                event = peer.wait_for(lambda event: event[0] == "output" and event[1] == call_id, timeout=0.01)
            except AssertionError:
                break
            chunks.extend(event[2])
        return reply, chunks

    def run(self, source, interactive=False):
        reply, chunks = self.finish(self.start(source, interactive))
        return reply, chunks

    def value(self, source):
        reply, _ = self.run(source)
        if reply[0] != "result":
            raise AssertionError("the execution failed: %r" % (reply[2],))
        return reply[2]


class CellTests(unittest.TestCase):
    def test_state_persists_between_executions(self):
        session = Session()
        self.assertEqual(session.value("x = 40\nimport math"), (True, None))
        self.assertEqual(session.value("def f(y):\n    return x + y\n"), (True, None))
        self.assertEqual(session.value("f(2)"), (True, "42"))
        self.assertEqual(session.value("math.pi > 3"), (True, "True"))

    def test_sessions_are_separate(self):
        first, second = Session(), Session()
        first.value("only_here = 1")
        reply, _ = second.run("only_here")
        self.assertEqual(reply[2]["type"], "NameError")

    def test_the_final_expression_value_is_its_repr(self):
        session = Session()
        self.assertEqual(session.value("'text'"), (True, "'text'"))
        self.assertEqual(session.value("x = [1, 2]\nx + [3]"), (True, "[1, 2, 3]"))
        self.assertEqual(session.value("None"), (True, None))
        self.assertEqual(session.value("_"), (True, "[1, 2, 3]"))

    def test_blank_lines_and_indented_blocks(self):
        session = Session()
        source = "total = 0\n\nfor i in range(4):\n    total += i\n\n    total += 0\n\nif total:\n    result = total\n\nresult\n"
        self.assertEqual(session.value(source), (True, "6"))

    def test_incomplete_input_is_not_an_error(self):
        session = Session()
        self.assertEqual(session.value("def f():"), (False, None))
        self.assertEqual(session.value("x = (1,"), (False, None))
        self.assertEqual(session.value('"""open'), (False, None))

    def test_output_is_captured_in_order(self):
        session = Session()
        reply, chunks = session.run("import sys\nprint('a')\nprint('b', file=sys.stderr)\nprint('c')\n7")
        self.assertEqual(reply[2], (True, "7"))
        self.assertEqual(chunks, [(1, "a\n"), (2, "b\n"), (1, "c\n")])

    def test_output_streams_while_the_code_runs(self):
        session = Session()
        gate = threading.Event()
        sys.modules["repl_gate"] = types.SimpleNamespace(event=gate)
        call_id = session.start("import repl_gate\nprint('first')\nrepl_gate.event.wait()\nprint('second')",
                                streaming=True)
        event = peer.wait_for(lambda event: event[0] == "output" and event[1] == call_id)
        self.assertEqual(event[2], [(1, "first\n")])
        gate.set()  # the code still waits: the first line arrived while it ran
        reply, chunks = session.finish(call_id)
        self.assertEqual(reply[0], "result")
        self.assertEqual(chunks, [(1, "second\n")])

    def test_exceptions_are_reported_and_the_session_survives(self):
        session = Session()
        session.value("x = 1")
        reply, chunks = session.run("print('before')\n1 / 0")
        self.assertEqual(reply[2]["type"], "ZeroDivisionError")
        self.assertEqual(chunks, [(1, "before\n")])
        self.assertEqual(session.value("x"), (True, "1"))

    def test_syntax_errors_carry_their_line(self):
        session = Session()
        reply, _ = session.run("x = 1\ny = 2 +\nz = 3\n")
        report = reply[2]
        self.assertEqual(report["type"], "SyntaxError")
        self.assertEqual(report["syntax"][1], 2)
        self.assertEqual(report["frames"], [])

    def test_tracebacks_show_the_source_lines(self):
        session = Session()
        session.value("def broken():\n    return undefined_name\n")
        report = session.run("broken()")[0][2]
        self.assertEqual(report["type"], "NameError")
        self.assertEqual(report["frames"][-1][2:], ("broken", "return undefined_name"))

    def test_errors_from_swift_leave_jinn_frames_out(self):
        from jinn import _errors

        def fails(value):
            raise RuntimeError("the Swift side said no")

        peer.handlers["fails"] = fails
        session = Session()
        session.value("import jinn\ndef ask():\n    return jinn.call('fails', 0)\n")
        report = session.run("ask()")[0][2]
        self.assertEqual(report["type"], "jinn.SwiftError")
        self.assertEqual([frame[2:] for frame in report["frames"]],
                         [("<module>", "ask()"), ("ask", "return jinn.call('fails', 0)")])
        self.assertNotIn(_errors.PACKAGE_DIRECTORY, report["traceback"])
        self.assertIn("    return jinn.call('fails', 0)\n", report["traceback"])

    def test_input_is_asked_from_the_swift_side(self):
        session = Session()
        call_id = session.start("name = input('Name: ')\nname.upper()")
        request = peer.wait_for(lambda event: event[0] == "input" and event[1] == call_id)
        self.assertEqual(request[2], "Name: ")
        peer.send(("input", call_id, "ada"))
        reply, chunks = session.finish(call_id)
        self.assertEqual(reply[2], (True, "'ADA'"))
        self.assertEqual(chunks, [(1, "Name: ")])

    def test_end_of_input_raises_eof_error(self):
        session = Session()
        call_id = session.start("input()")
        peer.wait_for(lambda event: event[0] == "input" and event[1] == call_id)
        peer.send(("input", call_id, None))
        self.assertEqual(session.finish(call_id)[0][2]["type"], "EOFError")

    def test_cancel_raises_keyboard_interrupt_and_the_session_survives(self):
        session = Session()
        session.value("counter = 0")
        call_id = session.start("print('running')\nwhile True:\n    counter += 1", streaming=True)
        peer.wait_for(lambda event: event[0] == "output" and event[1] == call_id)
        peer.send(("cancel", call_id))
        self.assertEqual(session.finish(call_id)[0][2]["type"], "KeyboardInterrupt")
        self.assertEqual(session.value("counter > 0"), (True, "True"))

    def test_future_imports_persist(self):
        session = Session()
        session.value("from __future__ import annotations")
        self.assertEqual(session.value("def f(x: Undefined): pass\nf.__annotations__['x']"), (True, "'Undefined'"))


class InteractiveTests(unittest.TestCase):
    def test_expression_statements_are_displayed_like_the_interactive_interpreter(self):
        session = Session()
        reply, chunks = session.run("1 + 1", interactive=True)
        self.assertEqual(reply[2], (True, "2"))
        self.assertEqual(chunks, [(1, "2\n")])
        reply, chunks = session.run("for i in range(2):\n    i\n\n", interactive=True)
        self.assertEqual(chunks, [(1, "0\n1\n")])
        self.assertEqual(reply[2], (True, None))  # echoed as python3 does, but a loop is not an expression

    def test_only_a_top_level_expression_statement_is_the_value(self):
        session = Session()
        self.assertEqual(session.run("x = 3", interactive=True)[0][2], (True, None))
        self.assertEqual(session.run("x * 2", interactive=True)[0][2], (True, "6"))
        reply, chunks = session.run("if x:\n    x + 1\n\n", interactive=True)
        self.assertEqual((reply[2], chunks), ((True, None), [(1, "4\n")]))

    def test_a_block_needs_its_blank_line(self):
        session = Session()
        self.assertEqual(session.run("if True:\n    x = 5", interactive=True)[0][2], (False, None))
        self.assertEqual(session.run("if True:\n    x = 5\n", interactive=True)[0][2], (True, None))
        self.assertEqual(session.run("x", interactive=True)[0][2], (True, "5"))

    def test_invalid_syntax_is_an_error_not_incomplete(self):
        session = Session()
        self.assertEqual(session.run("1 +", interactive=True)[0][2]["type"], "SyntaxError")


if __name__ == "__main__":
    unittest.main()
