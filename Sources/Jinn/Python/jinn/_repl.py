"""Stateful read-eval-print sessions for the Swift side.

A session keeps its namespace between executions. Swift calls :func:`execute`, which runs on the main thread while
it serves (see ``jinn.serve``), so that an interruption is a real SIGINT. What the code writes to ``sys.stdout`` and
``sys.stderr`` on that thread is captured and sent to Swift as ``(OUTPUT, id, [(1 or 2, text), ...])`` messages,
line by line when streaming and once at the end otherwise, always before the reply; reads from ``sys.stdin``
(``input()`` included) ask the Swift side for a line.

Two modes:

* cell mode compiles the whole source at once, as a notebook cell: blank lines and indented blocks anywhere, and
  the value of a final expression is returned as its ``repr``;
* interactive mode compiles one statement as the interactive interpreter does (a compound statement ends with a
  blank line) and writes the ``repr`` of each expression statement to standard output.

Source that needs more lines is reported as incomplete rather than as an error.
"""

import _thread
import builtins
import codeop
import linecache
import marshal
import sys

from jinn._protocol import OUTPUT
from jinn._rpc import current_call_id, main_thread, request_input, send_payload

_ALLOW_INCOMPLETE = getattr(codeop, "PyCF_ALLOW_INCOMPLETE_INPUT", 0)

_sessions = {}
_captures = {}          # thread ident -> the _Capture of the execution running on that thread
_expressions = {}       # (source, compiler flags) -> code of an expression, or False for source that is not one
_EXPRESSIONS_KEPT = 256
_count = 0
_installed = False
_get_ident = _thread.get_ident
_dumps = marshal.dumps


class _Session:
    def __init__(self):
        main = type(sys)("__main__")
        main.__builtins__ = builtins
        self.namespace = main.__dict__
        self.compiler = codeop.CommandCompiler()   # remembers __future__ imports between executions
        self.lock = _thread.allocate_lock()
        self.displayed = None

    def remember(self, value):
        # ``_`` holds the last displayed value, unless the code assigned ``_`` itself.
        namespace = self.namespace
        if "_" not in namespace or namespace["_"] is self.displayed:
            namespace["_"] = value
            self.displayed = value


class _Capture:
    """The output of one execution, and its way to ask for input."""

    def __init__(self, call_id, session, streaming):
        self.call_id = call_id
        self.session = session
        self.streaming = streaming
        self.pending = []          # [[stream, [parts]]], not yet sent
        self.size = 0
        self.line = ""             # standard output since its last newline: the prompt of an input()
        self.value = None

    def write(self, stream, text):
        pending = self.pending
        if pending and pending[-1][0] == stream:
            pending[-1][1].append(text)
        else:
            pending.append([stream, [text]])
        self.size += len(text)
        if stream == 1:
            newline = text.rfind("\n")
            self.line = self.line + text if newline < 0 else text[newline + 1:]
        if self.size > 65536 or (self.streaming and "\n" in text):
            self.flush()

    def flush(self):
        if self.pending:
            chunks = [(stream, "".join(parts)) for stream, parts in self.pending]
            self.pending = []
            self.size = 0
            send_payload(_dumps((OUTPUT, self.call_id, chunks)))

    def read_line(self):
        self.flush()
        line = request_input(self.line)
        self.line = ""
        if line is None:
            return ""
        return line if line.endswith("\n") else line + "\n"


class _Output:
    """Stands in for ``sys.stdout`` or ``sys.stderr``: captured on a thread that runs an execution."""

    def __init__(self, stream, original):
        self._stream = stream
        self._original = original

    def write(self, text):
        capture = _captures.get(_get_ident())
        if capture is None:
            return self._original.write(text)
        if type(text) is not str:
            if not isinstance(text, str):
                raise TypeError("write() argument must be str, not %s" % type(text).__name__)
            text = str(text)
        capture.write(self._stream, text)
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        capture = _captures.get(_get_ident())
        if capture is None:
            self._original.flush()
        elif capture.streaming:
            capture.flush()

    def isatty(self):
        return False if _get_ident() in _captures else self._original.isatty()

    def fileno(self):
        if _get_ident() in _captures:
            import io
            raise io.UnsupportedOperation("the output of a REPL execution is captured and has no descriptor")
        return self._original.fileno()

    def __getattr__(self, name):
        return getattr(self._original, name)


class _Input:
    """Stands in for ``sys.stdin``: on a thread that runs an execution, lines come from the Swift side."""

    def __init__(self, original):
        self._original = original

    def readline(self, size=-1):
        capture = _captures.get(_get_ident())
        if capture is None:
            return self._original.readline(size)
        return capture.read_line()

    def read(self, size=-1):
        capture = _captures.get(_get_ident())
        if capture is None:
            return self._original.read(size)
        if size is not None and size >= 0:
            return capture.read_line()[:size] if size else ""
        lines = []
        while True:
            line = capture.read_line()
            if not line:
                return "".join(lines)
            lines.append(line)

    def readlines(self, hint=-1):
        return list(iter(self.readline, ""))

    def __iter__(self):
        return iter(self.readline, "")

    def isatty(self):
        return False if _get_ident() in _captures else self._original.isatty()

    def fileno(self):
        if _get_ident() in _captures:
            import io
            raise io.UnsupportedOperation("the input of a REPL execution comes from Swift and has no descriptor")
        return self._original.fileno()

    def close(self):
        # exit() closes sys.stdin on its way out; the real one stays open for the rest of the process.
        if _get_ident() not in _captures:
            self._original.close()

    def __getattr__(self, name):
        return getattr(self._original, name)


def _displayhook(value):
    capture = _captures.get(_get_ident())
    if capture is None:
        return _original_displayhook(value)
    if value is None:
        return
    text = repr(value)
    capture.session.remember(value)
    capture.write(1, text + "\n")
    capture.value = text


_original_displayhook = sys.displayhook


def _install():
    global _installed, _original_displayhook
    if _installed:
        return
    _installed = True
    if sys.stdout is not None:
        sys.stdout = _Output(1, sys.stdout)
    if sys.stderr is not None:
        sys.stderr = _Output(2, sys.stderr)
    if sys.stdin is not None:
        sys.stdin = _Input(sys.stdin)
    _original_displayhook = sys.displayhook
    sys.displayhook = _displayhook


@main_thread
def execute(session_id, source, interactive, streaming):
    """Runs source text in a session; returns ``(complete, repr of the value or None)``.

    Exceptions propagate (the call's error reply carries them); ``complete`` is False when the source needs more
    lines, in which case nothing ran.
    """
    global _count
    session = _sessions.get(session_id)
    if session is None:
        session = _sessions.setdefault(session_id, _Session())
    _install()
    me = _get_ident()
    capture = _Capture(current_call_id(), session, streaming)
    with session.lock:
        _count += 1
        filename = "<repl-%d>" % _count
        _captures[me] = capture
        try:
            if interactive:
                complete = _run_interactive(session, source, filename, capture)
            else:
                complete = _run_cell(session, source, filename, capture)
        except BaseException as error:
            sys.last_type, sys.last_value, sys.last_traceback = type(error), error, error.__traceback__
            raise
        finally:
            if _captures.get(me) is capture:
                del _captures[me]
            capture.flush()
    return (complete, capture.value)


def close(session_id):
    """Forgets a session and everything it defined."""
    _sessions.pop(session_id, None)


def _remember_source(filename, source):
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def _compiled(compile_step, *arguments):
    # A syntax error is about the source: the compiler's frames in its traceback would only hide that.
    try:
        return compile_step(*arguments)
    except (SyntaxError, ValueError, OverflowError) as error:
        raise error.with_traceback(None)


def _run_interactive(session, source, filename, capture):
    code = _compiled(session.compiler, source, filename, "single")
    if code is None:
        return False
    _remember_source(filename, source)
    exec(code, session.namespace)
    # Every expression statement was echoed, in blocks too, as python3 does; only one at the top level is the
    # statement's value.
    if capture.value is not None and not _ends_with_expression(source, filename, session.compiler.compiler.flags):
        capture.value = None
    return True


def _ends_with_expression(source, filename, flags):
    import ast
    tree = compile(source, filename, "single", flags | ast.PyCF_ONLY_AST, True)
    return bool(tree.body) and isinstance(tree.body[-1], ast.Expr)


def _run_cell(session, source, filename, capture):
    compile_code = session.compiler.compiler  # a codeop.Compile: it keeps the __future__ flags
    flags = compile_code.flags
    namespace = session.namespace
    # Most cells that a program sends are one expression, and a program often sends the same one again: an
    # expression is compiled once, without a syntax tree, and kept.
    key = (source, flags)
    code = _expressions.get(key)
    if code is None:
        try:
            code = compile(source, filename, "eval", flags & ~_ALLOW_INCOMPLETE, True)
            _remember_source(filename, source)
        except SyntaxError:
            code = False
        if len(_expressions) >= _EXPRESSIONS_KEPT:
            _expressions.clear()
        _expressions[key] = code
    if code:
        _show(capture, eval(code, namespace))
        return True
    import ast
    if _ALLOW_INCOMPLETE:
        try:
            tree = _compiled(compile, source, filename, "exec", flags | ast.PyCF_ONLY_AST, True)
        except SyntaxError as error:
            if error.msg == "incomplete input":
                return False
            raise
    else:  # before Python 3.11, codeop tells incomplete input apart by trying again with more newlines
        if _compiled(session.compiler, source, filename, "exec") is None:
            return False
        tree = _compiled(compile, source, filename, "exec", flags | ast.PyCF_ONLY_AST, True)
    _remember_source(filename, source)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(_compiled(compile_code, tree, filename, "exec"), namespace)
    if last is not None:
        _show(capture, eval(_compiled(compile_code, last, filename, "eval"), namespace))
    return True


def _show(capture, value):
    if value is not None:
        capture.session.remember(value)
        capture.value = repr(value)
