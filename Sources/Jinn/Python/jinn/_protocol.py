"""The kinds of message on the channel between the Swift side and this interpreter.

Every message is a marshal tuple whose first element is its kind; ``ChannelMessageKind`` in the Swift module
JinnWire lists the same kinds, with the fields of each, and a test compares the two lists.
"""

# Swift to Python.
CALL = "call"                  # (CALL, id, target, args, kwargs)
CANCEL = "cancel"              # (CANCEL, id)
SWIFT_RESULT = "swift.result"  # (SWIFT_RESULT, id, value): the reply to jinn.call number id
SWIFT_ERROR = "swift.error"    # (SWIFT_ERROR, id, description, type)
STOP = "stop"                  # (STOP,): jinn.serve() returns
RUN = "run"                    # (RUN, run id, request), three descriptors attached: the daemon asks a zygote
SPARE_SOCKETS = "sockets"      # (SPARE_SOCKETS, [token, ...]), one socket per token attached: for spares
TAKEN = "taken"                # (TAKEN, token, run id, has a terminal): the daemon sent the spare of token a run

# Python to Swift.
RESULT = "result"              # (RESULT, id, value)
ERROR = "error"                # (ERROR, id, report from jinn._errors.describe)
SWIFT_CALL = "swift.call"      # (SWIFT_CALL, id, name, request)
SWIFT_CANCEL = "swift.cancel"  # (SWIFT_CANCEL, id): the caller gave up
OUTPUT = "output"              # (OUTPUT, id, [(1 or 2, text), ...]): a REPL execution's output
EXCEPTION = "exception"        # (EXCEPTION, report): the exception that ends the program
CODE = "code"                  # (CODE, magic, [(module, code bytes), ...]): what the program compiled
SERVING = "serving"            # (SERVING,): jinn.serve() has started

# Both ways.
MESSAGE = "message"            # (MESSAGE, value): jinn.send and jinn.receive
INPUT = "input"                # to Python (INPUT, id, line or None); to Swift (INPUT, id, prompt)

SENT_BY_SWIFT = (CALL, CANCEL, SWIFT_RESULT, SWIFT_ERROR, STOP, RUN, SPARE_SOCKETS, TAKEN, MESSAGE, INPUT)
SENT_BY_PYTHON = (RESULT, ERROR, SWIFT_CALL, SWIFT_CANCEL, OUTPUT, EXCEPTION, CODE, SERVING, MESSAGE, INPUT)

# What a zygote tells its daemon, as jinn.send values (MESSAGE).
ZYGOTE_PRELOADING = "preloading"  # (ZYGOTE_PRELOADING, module): about to import a preloaded module
ZYGOTE_READY = "ready"         # (ZYGOTE_READY, facts)
ZYGOTE_STARTED = "started"     # (ZYGOTE_STARTED, run id, pid, seconds since the hand-over)
ZYGOTE_EXIT = "exit"           # (ZYGOTE_EXIT, run id, "exited" | "signaled", number)
ZYGOTE_FAILED = "failed"       # (ZYGOTE_FAILED, run id, message)
ZYGOTE_IMPORTS = "imports"     # (ZYGOTE_IMPORTS, run id, [module, ...]): the libraries a run imported
ZYGOTE_SPARE = "spare"         # (ZYGOTE_SPARE, token, pid): a spare waits for a run on the socket of token
ZYGOTE_RECLAIM = "reclaim"     # (ZYGOTE_RECLAIM, token): the spare of token must get no run (it is gone or renewed)

ZYGOTE_EVENTS = (ZYGOTE_PRELOADING, ZYGOTE_READY, ZYGOTE_STARTED, ZYGOTE_EXIT, ZYGOTE_FAILED, ZYGOTE_IMPORTS,
                 ZYGOTE_SPARE, ZYGOTE_RECLAIM)
