/// The settings of a run as its own client resolved them (its flags, its `JINN_*` variables, its configuration
/// file), sent with each ``RunRequest`` so that a daemon serving many clients gives each run its own client's
/// interpreter and preloads rather than those of the client that started it.
///
/// Settings of the daemon as a whole (where it listens and logs, its limits, its idle time) are not here: they
/// are the daemon's own.
public struct RunSettings: Sendable, Equatable {
    /// The configured interpreter, or nil for `python3` on the caller's `PATH`.
    public var interpreter: String?
    /// Where ``interpreter`` was set, for messages.
    public var interpreterOrigin: String?
    /// The modules the run's zygote imports ahead of runs.
    public var preload: [String]
    /// Seconds one learned preload's import may take before it is refused.
    public var preloadTimeLimit: Double
    /// Seconds a zygote may take to preload before its runs run directly.
    public var zygoteStartTimeout: Double
    /// Runs one `str` hash seed serves.
    public var hashSeedRuns: Int
    /// Seconds one `str` hash seed serves.
    public var hashSeedLifetime: Int
    /// The configuration file these settings were read from; nil when no file applied.
    public var file: String?
    /// The version of ``file`` that was read (inode, size, modification time). A zygote made from an older
    /// version of the same file is retired once a run of the new version has its own zygote.
    public var fileVersion: String?

    /// Creates settings.
    public init(interpreter: String? = nil, interpreterOrigin: String? = nil, preload: [String] = [],
                preloadTimeLimit: Double = 5, zygoteStartTimeout: Double = 10, hashSeedRuns: Int = 1000,
                hashSeedLifetime: Int = 600, file: String? = nil, fileVersion: String? = nil)
    {
        self.interpreter = interpreter
        self.interpreterOrigin = interpreterOrigin
        self.preload = preload
        self.preloadTimeLimit = preloadTimeLimit
        self.zygoteStartTimeout = zygoteStartTimeout
        self.hashSeedRuns = hashSeedRuns
        self.hashSeedLifetime = hashSeedLifetime
        self.file = file
        self.fileVersion = fileVersion
    }

    /// The settings as a marshal dict.
    public var value: PythonValue {
        func optional(_ text: String?) -> PythonValue { text.map(PythonValue.string) ?? .none }
        return .dict([
            .init("interpreter", optional(interpreter)),
            .init("interpreter_origin", optional(interpreterOrigin)),
            .init("preload", .list(preload.map(PythonValue.string))),
            .init("preload_time_limit", .float(preloadTimeLimit)),
            .init("zygote_start_timeout", .float(zygoteStartTimeout)),
            .init("hash_seed_runs", .int(hashSeedRuns)),
            .init("hash_seed_lifetime", .int(hashSeedLifetime)),
            .init("file", optional(file)),
            .init("file_version", optional(fileVersion)),
        ])
    }

    /// Reads settings; throws when a field is missing or of the wrong type.
    public init(_ value: PythonValue) throws(WireError) {
        func optional(_ key: String) throws(WireError) -> String? {
            switch value[.string(key)] {
            case nil, .none?: return nil
            case .string(let text)?: return text
            default: throw WireError("a run's setting '\(key)' must be a string or None")
            }
        }
        func number(_ key: String) throws(WireError) -> Double {
            switch value[.string(key)] {
            case .float(let number)?: return number
            case .int(let number)?: return Double(number)
            default: throw WireError("a run's setting '\(key)' must be a number")
            }
        }
        func whole(_ key: String) throws(WireError) -> Int {
            guard case .int(let number)? = value[.string(key)] else {
                throw WireError("a run's setting '\(key)' must be an int")
            }
            return number
        }
        guard case .list(let items)? = value["preload"] else {
            throw WireError("a run's setting 'preload' must be a list of strings")
        }
        var preload: [String] = []
        for item in items {
            guard case .string(let name) = item else {
                throw WireError("a run's setting 'preload' must be a list of strings")
            }
            preload.append(name)
        }
        self.init(interpreter: try optional("interpreter"), interpreterOrigin: try optional("interpreter_origin"),
                  preload: preload, preloadTimeLimit: try number("preload_time_limit"),
                  zygoteStartTimeout: try number("zygote_start_timeout"), hashSeedRuns: try whole("hash_seed_runs"),
                  hashSeedLifetime: try whole("hash_seed_lifetime"), file: try optional("file"),
                  fileVersion: try optional("file_version"))
    }
}
