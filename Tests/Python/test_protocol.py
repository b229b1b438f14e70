"""The message kinds of the Python package all come from ``jinn._protocol``: its constants, or, on the start-up
path where importing it would cost every start a module, literals whose comment names the constant."""

import ast
import io
import os
import re
import tokenize
import unittest

import support

import jinn
from jinn import _protocol

_PACKAGE = os.path.join(support.SOURCE, "jinn")
_KINDS = {value: name for name, value in vars(_protocol).items()
          if name.isupper() and isinstance(value, str)}


def _kind_literals(tree):
    """(line, kind) of each string literal that names a message: the first element of a tuple display, or the
    kind given to ``channel.on``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple) and node.elts:
            first = node.elts[0]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "on" \
                and node.args:
            first = node.args[0]
        else:
            continue
        if isinstance(first, ast.Constant) and first.value in _KINDS:
            yield first.lineno, first.value


def _comments(source):
    """Line number -> the text of the comments on that line and on the comment lines just above it."""
    own = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            own[token.start[0]] = own.get(token.start[0], "") + token.string
    lines = source.splitlines()
    result = {}
    for number in range(1, len(lines) + 1):
        text = own.get(number, "")
        above = number - 1
        while above >= 1 and lines[above - 1].lstrip().startswith("#"):
            text += own.get(above, "")
            above -= 1
        result[number] = text
    return result


class ProtocolTests(unittest.TestCase):
    def test_every_literal_kind_names_its_constant(self):
        checked = 0
        for filename in sorted(os.listdir(_PACKAGE)):
            if not filename.endswith(".py") or filename == "_protocol.py":
                continue
            with open(os.path.join(_PACKAGE, filename), encoding="utf-8") as file:
                source = file.read()
            comments = _comments(source)
            for line, kind in _kind_literals(ast.parse(source)):
                checked += 1
                with self.subTest(file=filename, line=line, kind=kind):
                    self.assertRegex(comments.get(line, ""), r"\b%s\b" % re.escape(_KINDS[kind]),
                                     "a literal message kind without a comment naming its jinn._protocol constant")
        self.assertGreater(checked, 0)

    def test_the_call_machinery_loads_for_every_kind_it_handles(self):
        self.assertEqual(set(jinn._CALL_KINDS), {_protocol.CALL, _protocol.CANCEL, _protocol.SWIFT_RESULT,
                                                 _protocol.SWIFT_ERROR, _protocol.INPUT, _protocol.STOP})
        self.assertLessEqual(set(jinn._CALL_KINDS), set(_protocol.SENT_BY_SWIFT))


if __name__ == "__main__":
    unittest.main()
