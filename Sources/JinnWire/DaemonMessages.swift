/// The messages between the `jinn` client and the script-runner daemon.
///
/// Each message is one frame (see ``Frame``) holding a `marshal` tuple whose first element names its kind. A client
/// request is `(kind, protocol version, identity, body)`; the daemon answers a request whose version or identity
/// differs from its own with ``DaemonMessage/versionMismatch(identity:pid:)`` and nothing else, so a client never
/// misreads a daemon built from other code. A run request travels with the caller's standard input, output and
/// error attached as descriptors (SCM_RIGHTS).
///
/// ```swift
/// let request = ClientRequest(kind: .status, identity: "jinn 0.1")
/// var bytes: [UInt8] = []
/// Frame.append(payload: Marshal.encode(request.value), to: &bytes)
/// ```
public enum DaemonProtocol {
    /// The protocol version; it changes whenever a message changes shape.
    public static let version = 2

    /// The largest frame either side accepts: an environment and arguments fit many times over.
    public static let maximumMessageSize = 4 << 20
}

/// What a client asks the daemon.
public struct ClientRequest: Sendable, Equatable {
    /// The kinds of request.
    public enum Kind: String, Sendable, CaseIterable {
        /// Run a script (body: a ``RunRequest``); the caller's three standard descriptors are attached.
        case run
        /// Describe the daemon (body: none).
        case status
        /// List the running scripts (body: none).
        case sessions
        /// Signal running scripts (body: `(selector, signal)`).
        case kill
        /// Stop the daemon once its runs have ended (body: none).
        case stop
    }

    /// The kind of request.
    public var kind: Kind
    /// The protocol version the client speaks.
    public var version: Int
    /// The client's build identity (see ``DaemonMessage/versionMismatch(identity:pid:)``).
    public var identity: String
    /// The request's own data.
    public var body: PythonValue

    /// Creates a request.
    public init(kind: Kind, version: Int = DaemonProtocol.version, identity: String, body: PythonValue = .none) {
        self.kind = kind
        self.version = version
        self.identity = identity
        self.body = body
    }

    /// The request as a marshal value.
    public var value: PythonValue {
        .tuple([.string(kind.rawValue), .int(version), .string(identity), body])
    }

    /// Reads a request; throws when the value is not one.
    public init(_ value: PythonValue) throws(WireError) {
        guard case .tuple(let fields) = value, fields.count == 4 else {
            throw WireError("a request must be a tuple (kind, version, identity, body)")
        }
        guard case .string(let name) = fields[0] else { throw WireError("a request's kind must be a string") }
        guard let kind = Kind(rawValue: name) else { throw WireError("unknown request kind '\(name)'") }
        guard case .int(let version) = fields[1] else { throw WireError("a request's version must be an int") }
        guard case .string(let identity) = fields[2] else { throw WireError("a request's identity must be a str") }
        self.init(kind: kind, version: version, identity: identity, body: fields[3])
    }
}

/// A script run as the client describes it. Strings that come from the operating system (arguments, paths, the
/// environment) travel as bytes, so that names that are not UTF-8 arrive unchanged, as `python3` would see them.
public struct RunRequest: Sendable, Equatable {
    /// What runs as `__main__`.
    public enum Entry: Sendable, Equatable {
        /// A script path (or a directory or zip file with a `__main__.py`), as `python3 PATH`.
        case script([UInt8])
        /// Source text, as `python3 -c CODE`.
        case code([UInt8])
        /// A module name, as `python3 -m MODULE`.
        case module([UInt8])
    }

    /// What runs.
    public var entry: Entry
    /// `sys.argv` as the interpreter receives it: the script path (or `-c`, `-m`) followed by the arguments.
    public var arguments: [[UInt8]]
    /// The caller's working directory.
    public var workingDirectory: [UInt8]
    /// The caller's complete environment as `KEY=VALUE` items.
    public var environment: [[UInt8]]
    /// The caller's file mode creation mask.
    public var umask: Int
    /// The interpreter of the script's own environment (an absolute path to its `python`), or nil for the one
    /// the configuration or the caller's `PATH` names; runs of each interpreter have zygotes of their own.
    public var interpreter: [UInt8]?
    /// python3's options on the command line (`-O`, `-W default`, a script on standard input), nil for none.
    public var options: RunOptions?

    /// The second message of a run's handshake, `("streams",)`: it carries the caller's standard input, output
    /// and error and the claim (four descriptors), and is sent only once the daemon has answered
    /// ``DaemonMessage/ready``.
    public static let streamsMessage: PythonValue = .tuple(["streams"])

    /// Creates a request.
    public init(entry: Entry, arguments: [[UInt8]], workingDirectory: [UInt8], environment: [[UInt8]], umask: Int,
                interpreter: [UInt8]? = nil, options: RunOptions? = nil)
    {
        self.entry = entry
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.umask = umask
        self.interpreter = interpreter
        self.options = options
    }

    /// The request as the zygote reads it (`jinn/_zygote.py`).
    public var value: PythonValue {
        let entryValue: PythonValue
        switch entry {
        case .script(let path): entryValue = .tuple(["script", .bytes(path)])
        case .code(let source): entryValue = .tuple(["code", .bytes(source)])
        case .module(let name): entryValue = .tuple(["module", .bytes(name)])
        }
        var items: [PythonValue.Item] = [
            .init("entry", entryValue),
            .init("argv", .list(arguments.map(PythonValue.bytes))),
            .init("cwd", .bytes(workingDirectory)),
            .init("env", .list(environment.map(PythonValue.bytes))),
            .init("umask", .int(umask)),
        ]
        if let interpreter { items.append(.init("interpreter", .bytes(interpreter))) }
        if let options { items.append(.init("options", options.value)) }
        return .dict(items)
    }

    /// Reads a request; throws when a field is missing or of the wrong type.
    public init(_ value: PythonValue) throws(WireError) {
        guard case .tuple(let entryFields)? = value["entry"], entryFields.count == 2,
            case .string(let kind) = entryFields[0], case .bytes(let target) = entryFields[1]
        else { throw WireError("a run request needs entry = (kind, bytes)") }
        let entry: Entry
        switch kind {
        case "script": entry = .script(target)
        case "code": entry = .code(target)
        case "module": entry = .module(target)
        default: throw WireError("unknown entry kind '\(kind)'")
        }
        guard case .list(let argv)? = value["argv"], let arguments = Self.byteStrings(argv), !arguments.isEmpty else {
            throw WireError("a run request needs argv = a non-empty list of bytes")
        }
        guard case .bytes(let cwd)? = value["cwd"], !cwd.isEmpty else {
            throw WireError("a run request needs cwd = bytes")
        }
        guard case .list(let env)? = value["env"], let environment = Self.byteStrings(env) else {
            throw WireError("a run request needs env = a list of bytes")
        }
        guard case .int(let umask)? = value["umask"], (0...0o777).contains(umask) else {
            throw WireError("a run request needs umask = an int from 0 to 0o777")
        }
        let interpreter: [UInt8]?
        switch value["interpreter"] {
        case nil, .none?: interpreter = nil
        case .bytes(let path)?: interpreter = path
        default: throw WireError("a run request's interpreter must be bytes or None")
        }
        let options: RunOptions?
        switch value["options"] {
        case nil, .none?: options = nil
        case let given?: options = try RunOptions(given)
        }
        self.init(entry: entry, arguments: arguments, workingDirectory: cwd, environment: environment, umask: umask,
                  interpreter: interpreter, options: options)
    }

    private static func byteStrings(_ values: [PythonValue]) -> [[UInt8]]? {
        var result: [[UInt8]] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard case .bytes(let bytes) = value else { return nil }
            result.append(bytes)
        }
        return result
    }
}

/// What the daemon answers.
///
/// The codes of ``error(code:message:)``: `protocol` (a malformed request), `busy` (the daemon takes no more
/// connections), `interpreter` (the interpreter is missing or not Python: the client reports it and does not run
/// it either), `zygote` and `direct` (the client runs the interpreter itself); once the daemon holds a run's claim,
/// `unstarted` (the run provably never began) and `lost` (it may have begun, and must not be started again).
public enum DaemonMessage: Sendable, Equatable {
    /// The run request was read: the client may send its streams (``RunRequest/streamsMessage``).
    case ready
    /// A remark for the client's `-v` diagnostics (say, a module that could not be preloaded).
    case note(String)
    /// The run started: its session id and the pid of its process (which leads its own process group).
    case started(runID: String, pid: Int)
    /// The run ended with an exit status.
    case exited(Int)
    /// The run was killed by a signal.
    case signaled(Int)
    /// The request failed; `code` is a short machine-readable word, `message` is for a person.
    case error(code: String, message: String)
    /// The daemon speaks another protocol version or is another build; the client should replace it.
    case versionMismatch(identity: String, pid: Int)
    /// An answer to an administrative request (status, sessions, kill, stop).
    case reply(PythonValue)

    /// The message as a marshal value.
    public var value: PythonValue {
        switch self {
        case .ready: .tuple(["ready"])
        case .note(let text): .tuple(["note", .string(text)])
        case .started(let id, let pid): .tuple(["started", .string(id), .int(pid)])
        case .exited(let status): .tuple(["exit", "exited", .int(status)])
        case .signaled(let signal): .tuple(["exit", "signaled", .int(signal)])
        case .error(let code, let message): .tuple(["error", .string(code), .string(message)])
        case .versionMismatch(let identity, let pid): .tuple(["version", .string(identity), .int(pid)])
        case .reply(let body): .tuple(["reply", body])
        }
    }

    /// Reads a message; throws when the value is not one.
    public init(_ value: PythonValue) throws(WireError) {
        guard case .tuple(let fields) = value, case .string(let kind)? = fields.first else {
            throw WireError("a daemon message must be a tuple naming its kind")
        }
        switch (kind, fields.count) {
        case ("ready", 1):
            self = .ready
            return
        case ("note", 2):
            guard case .string(let text) = fields[1] else { break }
            self = .note(text)
            return
        case ("started", 3):
            guard case .string(let id) = fields[1], case .int(let pid) = fields[2] else { break }
            self = .started(runID: id, pid: pid)
            return
        case ("exit", 3):
            guard case .string(let how) = fields[1], case .int(let number) = fields[2] else { break }
            self = how == "signaled" ? .signaled(number) : .exited(number)
            return
        case ("error", 3):
            guard case .string(let code) = fields[1], case .string(let message) = fields[2] else { break }
            self = .error(code: code, message: message)
            return
        case ("version", 3):
            guard case .string(let identity) = fields[1], case .int(let pid) = fields[2] else { break }
            self = .versionMismatch(identity: identity, pid: pid)
            return
        case ("reply", 2):
            self = .reply(fields[1])
            return
        default:
            break
        }
        throw WireError("malformed daemon message '\(kind)'")
    }
}
