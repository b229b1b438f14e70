/// What an exec'd interpreter would inherit from the process that starts it, besides its descriptors, its working
/// directory and its environment: ignored signals, the signal mask, niceness, CPU affinity and resource limits.
/// The client reads its own (`RunRequest`'s `state`); the run takes them on before the script starts.
///
/// ```swift
/// let state = ProcessState(ignoredSignals: [1], blockedSignals: [], niceness: 5, affinity: [0],
///                          limits: [.init(resource: 7, soft: 64, hard: 64)])
/// ```
public struct ProcessState: Sendable, Equatable {
    /// One resource limit (`RLIMIT_*`); nil stands for unlimited.
    public struct Limit: Sendable, Equatable {
        /// The resource's number (`RLIMIT_NOFILE` is 7 on Linux).
        public var resource: Int
        /// The soft limit, or nil for unlimited.
        public var soft: Int?
        /// The hard limit, or nil for unlimited.
        public var hard: Int?

        /// Creates a limit.
        public init(resource: Int, soft: Int?, hard: Int?) {
            self.resource = resource
            self.soft = soft
            self.hard = hard
        }
    }

    /// The signals whose disposition is `SIG_IGN`.
    public var ignoredSignals: [Int]
    /// The signals blocked in the signal mask.
    public var blockedSignals: [Int]
    /// The niceness, or nil when it could not be read.
    public var niceness: Int?
    /// The CPUs the process may run on, or nil where there is no affinity.
    public var affinity: [Int]?
    /// Every resource limit that could be read.
    public var limits: [Limit]

    /// Creates a state.
    public init(ignoredSignals: [Int], blockedSignals: [Int], niceness: Int?, affinity: [Int]?, limits: [Limit]) {
        self.ignoredSignals = ignoredSignals
        self.blockedSignals = blockedSignals
        self.niceness = niceness
        self.affinity = affinity
        self.limits = limits
    }

    /// The state as the run reads it (`jinn/_process_state.py`): a dict of `ignored`, `blocked`, `nice`,
    /// `affinity` (or None) and `limits`, a list of `(resource, soft, hard)` with -1 for unlimited.
    public var value: PythonValue {
        .dict([
            .init("ignored", .list(ignoredSignals.map(PythonValue.int))),
            .init("blocked", .list(blockedSignals.map(PythonValue.int))),
            .init("nice", niceness.map(PythonValue.int) ?? .none),
            .init("affinity", affinity.map { .list($0.map(PythonValue.int)) } ?? .none),
            .init("limits", .list(limits.map { .tuple([.int($0.resource), .int($0.soft ?? -1), .int($0.hard ?? -1)]) })),
        ])
    }

    /// Reads a state; throws when a field is missing or of the wrong type.
    public init(_ value: PythonValue) throws(WireError) {
        func numbers(_ key: String) throws(WireError) -> [Int] {
            guard case .list(let items)? = value[.string(key)] else {
                throw WireError("a run's state needs \(key) = a list of ints")
            }
            var result: [Int] = []
            for item in items {
                guard case .int(let number) = item else { throw WireError("a run's state needs \(key) = a list of ints") }
                result.append(number)
            }
            return result
        }
        let niceness: Int?
        switch value["nice"] {
        case .int(let number)?: niceness = number
        case .none?, nil: niceness = nil
        default: throw WireError("a run's state needs nice = an int or None")
        }
        let affinity: [Int]? = value["affinity"] == nil || value["affinity"] == PythonValue.none
            ? nil : try numbers("affinity")
        guard case .list(let items)? = value["limits"] else {
            throw WireError("a run's state needs limits = a list of (resource, soft, hard)")
        }
        var limits: [Limit] = []
        for item in items {
            guard case .tuple(let fields) = item, fields.count == 3, case .int(let resource) = fields[0],
                case .int(let soft) = fields[1], case .int(let hard) = fields[2]
            else { throw WireError("a run's state needs limits = a list of (resource, soft, hard)") }
            limits.append(Limit(resource: resource, soft: soft < 0 ? nil : soft, hard: hard < 0 ? nil : hard))
        }
        self.init(ignoredSignals: try numbers("ignored"), blockedSignals: try numbers("blocked"), niceness: niceness,
                  affinity: affinity, limits: limits)
    }
}
