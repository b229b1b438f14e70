import Jinn
import JinnWire

/// A message from a zygote to the daemon: `jinn/_zygote.py` sends each as a tuple whose first element names its
/// kind, through `jinn.send`.
///
/// The daemon sends the zygote a run as `("run", run_id, request)` with the caller's descriptors attached, or
/// sends the request to a spare itself and tells the zygote `("taken", token, run_id, terminal)`, with the sockets
/// for such spares as `("sockets", [token, …])` (see ``SpareSockets``).
package enum ZygoteMessage: Sendable, Equatable {
    /// `("preloading", module)`: the zygote is about to import a module it preloads.
    case preloading(String)
    /// `("ready", facts)`: the zygote has preloaded and serves runs.
    case ready(ZygoteFacts)
    /// `("started", run_id, pid, delay)`: the run's process has its streams and runs; it leads its own process
    /// group. `delay` is how many seconds after the hand-over the zygote said so (it tells a short run's start
    /// with its end, so that nothing wakes the daemon while the run runs).
    case started(runID: String, pid: Int32, delay: Double = 0)
    /// `("exit", run_id, "exited" | "signaled", number)`: the run ended.
    case ended(runID: String, Termination)
    /// `("failed", run_id, message)`: the run could not start.
    case failed(runID: String, reason: String)
    /// `("imports", run_id, [module, …])`: the top-level libraries an ended run imported (not the zygote's own).
    case imports(runID: String, modules: [String])
    /// `("spare", token, pid)`: a spare waits on the daemon's socket `token` (see ``SpareSockets``).
    case spare(token: Int, pid: Int32)
    /// `("reclaim", token)`: the spare of socket `token` must get no run.
    case reclaim(token: Int)

    /// Reads a message.
    ///
    /// - Throws: ``WireError`` naming the kind when the value is not a message the zygote sends; an `exit` whose
    ///   status cannot be read is ``failed(runID:reason:)``, so that its run still ends.
    package init(_ value: PythonValue) throws(WireError) {
        guard case .tuple(let fields) = value, let name = fields.first?.stringValue else {
            throw WireError("a zygote message must be a tuple naming its kind, not \(value.typeName)")
        }
        guard let kind = ZygoteEventKind(rawValue: name) else { throw WireError("unknown zygote message '\(name)'") }
        switch kind {
        case .preloading:
            guard fields.count == 2, let module = fields[1].stringValue else {
                throw WireError("malformed zygote message 'preloading'")
            }
            self = .preloading(module)
        case .ready:
            self = .ready(ZygoteFacts(fields.count > 1 ? fields[1] : .none))
        case .started:
            guard fields.count == 4, let id = fields[1].stringValue, let pid = fields[2].intValue,
                let pid = Int32(exactly: pid), let delay = fields[3].doubleValue, delay >= 0
            else { throw WireError("malformed zygote message 'started'") }
            self = .started(runID: id, pid: pid, delay: delay)
        case .exit:
            guard fields.count >= 2, let id = fields[1].stringValue else {
                throw WireError("malformed zygote message 'exit'")
            }
            guard fields.count == 4, let how = fields[2].stringValue, ["exited", "signaled"].contains(how),
                let number = fields[3].intValue, let number = Int32(exactly: number)
            else {
                self = .failed(runID: id, reason: "the zygote reported an unreadable end: \(value)")
                return
            }
            self = .ended(runID: id, how == "signaled" ? .signaled(number) : .exited(number))
        case .failed:
            guard fields.count >= 2, let id = fields[1].stringValue else {
                throw WireError("malformed zygote message 'failed'")
            }
            self = .failed(runID: id, reason: fields.count > 2 ? fields[2].stringValue ?? "" : "")
        case .imports:
            guard fields.count == 3, let id = fields[1].stringValue, let modules = fields[2].elements else {
                throw WireError("malformed zygote message 'imports'")
            }
            self = .imports(runID: id, modules: modules.compactMap(\.stringValue))
        case .spare:
            guard fields.count == 3, let token = fields[1].intValue, let pid = fields[2].intValue,
                  let pid = Int32(exactly: pid)
            else { throw WireError("malformed zygote message 'spare'") }
            self = .spare(token: token, pid: pid)
        case .reclaim:
            guard fields.count == 2, let token = fields[1].intValue else {
                throw WireError("malformed zygote message 'reclaim'")
            }
            self = .reclaim(token: token)
        }
    }

    /// The message as the zygote sends it.
    package var value: PythonValue {
        switch self {
        case .preloading(let module): .tuple([Self.name(.preloading), .string(module)])
        case .ready(let facts): .tuple([Self.name(.ready), facts.value])
        case .started(let id, let pid, let delay):
            .tuple([Self.name(.started), .string(id), .int(Int(pid)), .float(delay)])
        case .ended(let id, .exited(let status)): .tuple([Self.name(.exit), .string(id), "exited", .int(Int(status))])
        case .ended(let id, .signaled(let number)):
            .tuple([Self.name(.exit), .string(id), "signaled", .int(Int(number))])
        case .failed(let id, let reason): .tuple([Self.name(.failed), .string(id), .string(reason)])
        case .imports(let id, let modules):
            .tuple([Self.name(.imports), .string(id), .list(modules.map(PythonValue.string))])
        case .spare(let token, let pid): .tuple([Self.name(.spare), .int(token), .int(Int(pid))])
        case .reclaim(let token): .tuple([Self.name(.reclaim), .int(token)])
        }
    }

    private static func name(_ kind: ZygoteEventKind) -> PythonValue { .string(kind.rawValue) }
}
