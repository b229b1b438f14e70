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
    /// The caller's working directory; empty when it has no name any more (deleted while the caller was in it),
    /// and the run enters it by the descriptor that comes with the streams (``RunDescriptors/Role/workingDirectory``).
    public var workingDirectory: [UInt8]
    /// The caller's complete environment as `KEY=VALUE` items.
    public var environment: [[UInt8]]
    /// The caller's file mode creation mask.
    public var umask: Int
    /// The interpreter of the script's own environment (an absolute path to its `python`), or nil for the one
    /// the configuration or the caller's `PATH` names; runs of each interpreter have zygotes of their own.
    public var interpreter: [UInt8]?
    /// The run's settings as its client resolved them; nil for the daemon's own.
    public var settings: RunSettings?
    /// The client's parent process, which the run's `os.getppid()` gives as `python3`'s would; nil for the
    /// run's real parent.
    public var parent: Int?
    /// The client's pid when it relays a pseudo-terminal whose slave the run gets (its holder makes it the run's
    /// controlling terminal and tells the client of the run's stops); nil for a run without one.
    public var terminal: Int?
    /// python3's options on the command line (`-O`, `-W default`, a script on standard input), nil for none.
    public var options: RunOptions?

    /// The numbers of the descriptors that go with the request to the zygote, in order (see ``RunDescriptors``):
    /// the daemon sets them from the client's `streams` message, the claim left out. Nil means the caller's three
    /// standard streams.
    public var descriptorNumbers: [Int]?
    /// The caller's process state that the run takes on (ignored signals, signal mask, niceness, affinity,
    /// resource limits), or nil for the zygote's.
    public var processState: ProcessState?

    /// Creates a request.
    public init(entry: Entry, arguments: [[UInt8]], workingDirectory: [UInt8], environment: [[UInt8]], umask: Int,
                interpreter: [UInt8]? = nil, settings: RunSettings? = nil, descriptorNumbers: [Int]? = nil,
                processState: ProcessState? = nil, parent: Int? = nil, terminal: Int? = nil, options: RunOptions? = nil)
    {
        self.entry = entry
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.umask = umask
        self.interpreter = interpreter
        self.settings = settings
        self.descriptorNumbers = descriptorNumbers
        self.processState = processState
        self.parent = parent
        self.terminal = terminal
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
        if let settings { items.append(.init("settings", settings.value)) }
        if let descriptorNumbers { items.append(.init("fds", .list(descriptorNumbers.map(PythonValue.int)))) }
        if let processState { items.append(.init("state", processState.value)) }
        if let parent { items.append(.init("parent", .int(parent))) }
        if let terminal { items.append(.init("terminal", .int(terminal))) }
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
        // Empty when the caller's directory has no name any more (deleted): the run enters it by its descriptor.
        guard case .bytes(let cwd)? = value["cwd"] else {
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
        let settings: RunSettings?
        switch value["settings"] {
        case nil, .none?: settings = nil
        case let fields?: settings = try RunSettings(fields)
        }
        let parent: Int?
        switch value["parent"] {
        case nil, .none?: parent = nil
        case .int(let pid)? where pid > 0: parent = pid
        default: throw WireError("a run request's parent must be a positive int or None")
        }
        let terminal: Int?
        switch value["terminal"] {
        case nil, .none?: terminal = nil
        case .int(let pid)? where pid > 0: terminal = pid
        default: throw WireError("a run request's terminal must be the client's pid or None")
        }
        let options: RunOptions?
        switch value["options"] {
        case nil, .none?: options = nil
        case let given?: options = try RunOptions(given)
        }
        self.init(entry: entry, arguments: arguments, workingDirectory: cwd, environment: environment, umask: umask,
                  interpreter: interpreter, settings: settings, descriptorNumbers: try Self.descriptorNumbers(value["fds"]),
                  processState: try value["state"].flatMap { state throws(WireError) in
                      state == .none ? nil : try ProcessState(state)
                  }, parent: parent, terminal: terminal, options: options)
    }

    private static func descriptorNumbers(_ value: PythonValue?) throws(WireError) -> [Int]? {
        guard let value, value != .none else { return nil }
        guard case .list(let items) = value else { throw WireError("a run request's fds must be a list of ints") }
        var numbers: [Int] = []
        for item in items {
            guard case .int(let number) = item else { throw WireError("a run request's fds must be a list of ints") }
            numbers.append(number)
        }
        return numbers
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
/// it either), `zygote` and `direct` (the client runs the interpreter itself), `outgrown` (the daemon cannot give
/// the run its caller's limits or niceness, and a daemon the caller starts could: the client replaces it); once the
/// daemon holds a run's claim, `unstarted` (the run provably never began) and `lost` (it may have begun, and must not
/// be started again).
public enum DaemonMessage: Sendable, Equatable {
    /// The run request was read: the client may send its streams (``RunDescriptors/streamsMessage(_:)``).
    case ready
    /// A remark for the client's `--verbose` diagnostics (say, a module that could not be preloaded).
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
