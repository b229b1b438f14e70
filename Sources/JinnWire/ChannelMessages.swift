/// The kinds of message on the channel between a Swift process and the Python child it started.
///
/// Every message is a `marshal` tuple whose first element is its kind's raw value; the rest are the fields named
/// with each case. `jinn/_protocol.py` lists the same kinds for the Python side, and a test compares the two lists.
/// Calls carry an id chosen by their sender; each call gets exactly one reply with the same id.
package enum ChannelMessageKind: String, Sendable, CaseIterable {
    // Swift to Python.

    /// `("call", id, target, args, kwargs)`: call a function by dotted name, or `(service key, method)`.
    case call
    /// `("cancel", id)`: interrupt call `id` (`KeyboardInterrupt`, or its asyncio task cancelled).
    case cancel
    /// `("swift.result", id, value)`: the reply to `jinn.call` number `id`.
    case swiftResult = "swift.result"
    /// `("swift.error", id, description, type)`: the Swift handler of `jinn.call` number `id` threw.
    case swiftError = "swift.error"
    /// `("stop",)`: make `jinn.serve()` return.
    case stop
    /// `("run", run id, request)` with three descriptors attached: the script runner's daemon asks its zygote
    /// to fork a run (see `ZygoteEventKind` for the answers).
    case run
    /// `("sockets", [token, …])` with one socket attached per token: the daemon's sockets for a zygote's spares to
    /// wait on, each of which the zygote reports once a spare does (`ZygoteEventKind.spare`).
    case spareSockets = "sockets"
    /// `("taken", token, run id, has a terminal)`: the daemon sent the spare waiting on socket `token` the request of
    /// run `run id`, which the zygote follows from then on.
    case taken

    // Python to Swift.

    /// `("result", id, value)`: call `id` returned.
    case result
    /// `("error", id, report)`: call `id` raised; the report is what `PythonException(report:)` reads.
    case error
    /// `("swift.call", id, name, request)`: Python calls the Swift handler `name`.
    case swiftCall = "swift.call"
    /// `("swift.cancel", id)`: the Python caller of `jinn.call` number `id` gave up.
    case swiftCancel = "swift.cancel"
    /// `("output", id, [(1 or 2, text), …])`: what REPL execution `id` wrote to `sys.stdout` or `sys.stderr`.
    case output
    /// `("exception", report)`: the exception that ended the program, just before it exits.
    case exception
    /// `("code", magic, [(module, code object bytes), …])`: modules the program compiled, for later starts.
    case code
    /// `("serving",)`: the program has entered `jinn.serve()`.
    case serving

    // Both ways.

    /// `("message", value)`: a value for `jinn.receive()`, or one from `jinn.send(value)`.
    case message
    /// Swift to Python, `("input", id, line or None)`: a line for the code that call `id` runs; Python to Swift,
    /// `("input", id, prompt)`: call `id` waits for a line of standard input.
    case input

    /// The kinds Swift sends.
    package static let sentBySwift: [ChannelMessageKind] = [
        .call, .cancel, .swiftResult, .swiftError, .stop, .run, .spareSockets, .taken, .message, .input,
    ]
    /// The kinds Python sends.
    package static let sentByPython: [ChannelMessageKind] = [
        .result, .error, .swiftCall, .swiftCancel, .output, .exception, .code, .serving, .message, .input,
    ]
}

/// What a zygote of the script runner tells its daemon, as `("message", (kind, …))` values on the channel.
package enum ZygoteEventKind: String, Sendable, CaseIterable {
    /// `("preloading", module)`: the zygote is about to import `module` (so a preload that hangs or kills the
    /// zygote is known by name).
    case preloading
    /// `("ready", facts)`: the zygote has preloaded its modules; `facts` lists what it preloaded, what failed
    /// and the files to watch for staleness.
    case ready
    /// `("started", run id, pid)`: a run was forked.
    case started
    /// `("exit", run id, "exited" | "signaled", number)`: a run ended.
    case exit
    /// `("failed", run id, message)`: a run could not start.
    case failed
    /// `("imports", run id, [module, …])`: the top-level libraries a run imported, sent after its `exit`.
    case imports
    /// `("spare", token, pid)`: a spare waits for its run on the daemon's socket `token`.
    case spare
    /// `("reclaim", token)`: the spare of socket `token` must get no run (it ended, or the zygote renews it); the
    /// daemon closes its end unless it has sent a run on it.
    case reclaim
}

extension PythonValue {
    /// The first element of a channel message of `kind`.
    package init(_ kind: ChannelMessageKind) {
        self = .string(kind.rawValue)
    }
}
