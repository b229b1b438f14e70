import JinnSystem

/// The script runner's settings: which interpreter runs scripts, what the zygote preloads, when an idle daemon
/// exits, where its socket and log live.
///
/// Each setting comes from the first of: a command-line flag, a `JINN_*` environment variable, the TOML file, the
/// default. The file is `--config PATH`, else `$JINN_CONFIG`, else `$XDG_CONFIG_HOME/jinn/config.toml` (or
/// `~/.config/jinn/config.toml`); only an explicitly named file must exist.
///
/// ```toml
/// interpreter = "/usr/bin/python3"   # default: python3 on the caller's PATH
/// preload = ["numpy", "scipy.linalg"]
/// idle_timeout = 1800                # seconds; 0 keeps the daemon forever
/// socket_dir = "/run/user/1000/jinn"
/// log_file = "/home/me/.cache/jinn/daemon.log"
/// log_level = "info"                 # trace, debug, info, notice, warning, error, critical
/// environment_max_age = 30           # days a script environment may go unused; 0 keeps them
/// client_timeout = 5                 # seconds a client waits for the daemon before running directly
/// zygote_start_timeout = 10          # seconds a zygote may take to preload
/// preload_time_limit = 5             # seconds one learned preload's import may take before it is refused
/// request_timeout = 10               # seconds a connection has to send its whole request
/// max_connections = 256
/// max_request_size = 1048576         # bytes
/// max_zygotes = 8                    # live zygotes (one per environment); the least recently used goes first
/// zygote_idle_timeout = 900          # seconds a zygote may serve no run before it is retired
/// max_zygote_memory = 4096           # MiB of resident memory for all zygotes together
/// hash_seed_runs = 1000              # runs one zygote's str hash seed serves before a fresh zygote takes over
/// hash_seed_lifetime = 600           # seconds one hash seed serves at most
/// ```
package struct Configuration: Sendable, Equatable {
    /// The interpreter that runs scripts; nil means `python3` on the caller's `PATH`.
    package var interpreter: String?
    /// Where ``interpreter`` was set, for messages: `'interpreter' in FILE`, `JINN_INTERPRETER`, `--python`.
    package var interpreterOrigin: String?
    /// Seconds a client waits for the daemon to answer (and, beyond ``zygoteStartTimeout``, for its run to start)
    /// before it runs the interpreter directly.
    package var clientTimeout: Double = 5
    /// Seconds a zygote may take from its launch until it has preloaded; runs that would wait longer are run
    /// directly, and the module it was importing is not preloaded again.
    package var zygoteStartTimeout: Double = 10
    /// Seconds one preload's import may take; a learned preload that takes longer is never preloaded again (a
    /// configured one is reported).
    package var preloadTimeLimit: Double = 5
    /// Seconds a new connection has to send its whole request (and a run's streams).
    package var requestTimeout: Double = 10
    /// Connections served at once; more are told the daemon is busy (their clients run directly).
    package var maximumConnections: Int = 256
    /// The largest request, in bytes; a client with a larger one runs directly.
    package var maximumRequestSize: Int = 1 << 20
    /// Zygotes kept at once; beyond it the least recently used is retired.
    package var maximumZygotes: Int = 8
    /// Seconds a zygote may go without a run before it is retired.
    package var zygoteIdleTimeout: Double = 900
    /// The resident memory all zygotes may hold together, in MiB; beyond it the least recently used are retired.
    package var maximumZygoteMemory: Int = 4096
    /// Modules the zygote imports before it forks.
    package var preload: [String] = []
    /// Seconds without runs or connections after which the daemon exits; 0 means never.
    package var idleTimeout: Int = 1800
    /// The private directory of the socket.
    package var socketDirectory: String = SocketDirectory.defaultPath()
    /// The log file; nil means `daemon.log` in the socket directory.
    package var logFile: String?
    /// The lowest level written to the log.
    package var logLevel: String = "info"
    /// Days after which a script environment no run has used is removed; 0 keeps them.
    package var environmentMaxAge: Int = 30
    /// How many runs one zygote's `str` hash seed serves before a fresh zygote (a new seed) takes over, unless
    /// the run's `PYTHONHASHSEED` fixes the seed.
    package var hashSeedRuns: Int = 1000
    /// Seconds one zygote's hash seed serves at most.
    package var hashSeedLifetime: Int = 600
    /// The file the settings were read from, if one was.
    package var file: String?
    /// The version of ``file`` that was read (see ``version(ofFile:)``).
    package var fileVersion: String?

    /// The settings that shape a zygote, as `key=value` items, only those that differ from the defaults: runs
    /// whose settings differ get zygotes of their own (see `ZygoteKey`).
    package var zygoteSettings: [String] {
        var items: [String] = []
        if let interpreter { items.append("interpreter=" + interpreter) }
        if !preload.isEmpty { items.append("preload=" + preload.joined(separator: ",")) }
        if preloadTimeLimit != Configuration().preloadTimeLimit {
            items.append("preload_time_limit=\(preloadTimeLimit)")
        }
        return items
    }

    /// The log file in effect.
    package var effectiveLogFile: String { logFile ?? SocketDirectory(unchecked: socketDirectory).logPath }

    /// The log levels, lowest first.
    package static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// The keys a file may set.
    package static let fileKeys = ["interpreter", "preload", "idle_timeout", "socket_dir", "log_file", "log_level",
                                   "environment_max_age", "client_timeout", "zygote_start_timeout", "request_timeout",
                                   "preload_time_limit",
                                   "max_connections", "max_request_size", "max_zygotes", "zygote_idle_timeout",
                                   "max_zygote_memory",
                                   "hash_seed_runs", "hash_seed_lifetime"]

    /// Settings given on the command line; nil leaves the choice to the next source.
    package struct Flags: Sendable, Equatable {
        package var configFile: String?
        package var interpreter: String?
        package var preload: [String]?
        package var idleTimeout: Int?
        package var socketDirectory: String?
        package var logFile: String?
        package var logLevel: String?

        package init(configFile: String? = nil, interpreter: String? = nil, preload: [String]? = nil,
                     idleTimeout: Int? = nil, socketDirectory: String? = nil, logFile: String? = nil,
                     logLevel: String? = nil)
        {
            self.configFile = configFile
            self.interpreter = interpreter
            self.preload = preload
            self.idleTimeout = idleTimeout
            self.socketDirectory = socketDirectory
            self.logFile = logFile
            self.logLevel = logLevel
        }

        /// The flags as `jinn daemon serve` options, to start a daemon with the same settings.
        package var arguments: [String] {
            var result: [String] = []
            if let configFile { result += ["--config", configFile] }
            if let interpreter { result += ["--python", interpreter] }
            if let preload { result += ["--preload", preload.joined(separator: ",")] }
            if let idleTimeout { result += ["--idle-timeout", String(idleTimeout)] }
            if let socketDirectory { result += ["--socket-dir", socketDirectory] }
            if let logFile { result += ["--log-file", logFile] }
            if let logLevel { result += ["--log-level", logLevel] }
            return result
        }
    }

    /// The defaults.
    package init() {}

    /// Resolves the settings from flags, the environment, the file and the defaults.
    ///
    /// - Parameter environment: looks up an environment variable (this process's environment by default).
    /// - Throws: ``ConfigurationError`` naming the source, the key and what was expected.
    package static func resolve(flags: Flags = Flags(),
                                environment: (String) -> String? = ProcessEnvironment.value(of:))
        throws(ConfigurationError) -> Configuration
    {
        var configuration = Configuration()
        configuration.socketDirectory = SocketDirectory.defaultPath(environment: environment)
        // The file.
        let explicit = flags.configFile ?? environment("JINN_CONFIG").flatMap { $0.isEmpty ? nil : $0 }
        if let path = filePath(flags: flags, environment: environment) {
            if let bytes = FileSystem.readFile(path) {
                try configuration.apply(file: path, text: String(decoding: bytes, as: UTF8.self))
                configuration.file = path
                configuration.fileVersion = version(ofFile: path)
            } else if explicit != nil {
                throw ConfigurationError(source: path, key: nil,
                                         problem: "cannot be read: \(Errno.current)")
            }
        }
        // The environment.
        func variable(_ name: String) -> String? {
            guard let value = environment(name), !value.isEmpty else { return nil }
            return value
        }
        if let value = variable("JINN_INTERPRETER") {
            configuration.interpreter = value
            configuration.interpreterOrigin = "JINN_INTERPRETER in the environment"
        }
        if let value = variable("JINN_PRELOAD") { configuration.preload = splitList(value) }
        if let value = variable("JINN_IDLE_TIMEOUT") {
            guard let seconds = Int(value), seconds >= 0 else {
                throw ConfigurationError(source: "the environment", key: "JINN_IDLE_TIMEOUT",
                                         problem: "must be a whole number of seconds (0 or more), not '\(value)'")
            }
            configuration.idleTimeout = seconds
        }
        if let value = variable("JINN_SOCKET_DIR") { configuration.socketDirectory = value }
        if let value = variable("JINN_LOG_FILE") { configuration.logFile = value }
        if let value = variable("JINN_LOG_LEVEL") {
            guard logLevels.contains(value) else {
                throw ConfigurationError(source: "the environment", key: "JINN_LOG_LEVEL",
                                         problem: "must be one of \(logLevels.joined(separator: ", ")), not '\(value)'")
            }
            configuration.logLevel = value
        }
        // The flags.
        if let value = flags.interpreter {
            configuration.interpreter = value
            configuration.interpreterOrigin = "--python on the command line"
        }
        if let value = flags.preload { configuration.preload = value }
        if let value = flags.idleTimeout {
            guard value >= 0 else {
                throw ConfigurationError(source: "the command line", key: "--idle-timeout",
                                         problem: "must be 0 or more seconds")
            }
            configuration.idleTimeout = value
        }
        if let value = flags.socketDirectory { configuration.socketDirectory = value }
        if let value = flags.logFile { configuration.logFile = value }
        if let value = flags.logLevel {
            guard logLevels.contains(value) else {
                throw ConfigurationError(source: "the command line", key: "--log-level",
                                         problem: "must be one of \(logLevels.joined(separator: ", ")), not '\(value)'")
            }
            configuration.logLevel = value
        }
        return configuration
    }

    /// The configuration file that applies, whether or not it exists: `--config`, `$JINN_CONFIG`,
    /// `$XDG_CONFIG_HOME/jinn/config.toml`, `~/.config/jinn/config.toml`.
    package static func filePath(flags: Flags = Flags(),
                                 environment: (String) -> String? = ProcessEnvironment.value(of:)) -> String?
    {
        if let file = flags.configFile ?? environment("JINN_CONFIG"), !file.isEmpty { return file }
        if let base = environment("XDG_CONFIG_HOME"), base.hasPrefix("/") { return base + "/jinn/config.toml" }
        if let home = environment("HOME"), !home.isEmpty { return home + "/.config/jinn/config.toml" }
        return nil
    }

    /// Applies the settings of a TOML file.
    package mutating func apply(file path: String, text: String) throws(ConfigurationError) {
        let document: TOMLDocument
        do {
            document = try TOMLDocument(parsing: text)
        } catch {
            throw ConfigurationError(source: path, key: nil, problem: "is not valid TOML: \(error)")
        }
        for (key, value) in document.values.sorted(by: { $0.key < $1.key }) {
            let line = document.lines[key] ?? 0
            func wrong(_ expected: String) -> ConfigurationError {
                ConfigurationError(source: path, key: key, line: line,
                                   problem: "must be \(expected), not \(value.typeName) (\(value))")
            }
            switch key {
            case "interpreter":
                guard case .string(let text) = value, !text.isEmpty else { throw wrong("a non-empty string (a path)") }
                interpreter = text
                interpreterOrigin = "'interpreter' in \(path)"
            case "preload":
                guard case .array(let items) = value else { throw wrong("an array of module names") }
                var names: [String] = []
                for item in items {
                    guard case .string(let name) = item, !name.isEmpty else {
                        throw ConfigurationError(source: path, key: key, line: line,
                                                 problem: "must hold only module names (strings), not \(item.typeName)")
                    }
                    names.append(name)
                }
                preload = names
            case "idle_timeout":
                guard case .integer(let seconds) = value, seconds >= 0 else {
                    throw wrong("a whole number of seconds (0 or more)")
                }
                idleTimeout = seconds
            case "socket_dir":
                guard case .string(let text) = value, text.hasPrefix("/") else { throw wrong("an absolute path") }
                socketDirectory = text
            case "log_file":
                guard case .string(let text) = value, text.hasPrefix("/") else { throw wrong("an absolute path") }
                logFile = text
            case "log_level":
                guard case .string(let text) = value, Self.logLevels.contains(text) else {
                    throw wrong("one of \(Self.logLevels.joined(separator: ", "))")
                }
                logLevel = text
            case "environment_max_age":
                guard case .integer(let days) = value, days >= 0 else { throw wrong("a whole number of days (0 or more)") }
                environmentMaxAge = days
            case "client_timeout", "zygote_start_timeout", "request_timeout", "zygote_idle_timeout",
                 "preload_time_limit":
                let seconds: Double
                switch value {
                case .integer(let number) where number > 0: seconds = Double(number)
                case .float(let number) where number > 0: seconds = number
                default: throw wrong("a number of seconds above 0")
                }
                switch key {
                case "client_timeout": clientTimeout = seconds
                case "zygote_start_timeout": zygoteStartTimeout = seconds
                case "zygote_idle_timeout": zygoteIdleTimeout = seconds
                case "preload_time_limit": preloadTimeLimit = seconds
                default: requestTimeout = seconds
                }
            case "max_connections", "max_zygotes", "max_zygote_memory":
                guard case .integer(let count) = value, count > 0 else { throw wrong("a whole number above 0") }
                switch key {
                case "max_connections": maximumConnections = count
                case "max_zygotes": maximumZygotes = count
                default: maximumZygoteMemory = count
                }
            case "max_request_size":
                guard case .integer(let bytes) = value, bytes >= 4096 else {
                    throw wrong("a number of bytes (4096 or more)")
                }
                maximumRequestSize = bytes
            case "hash_seed_runs", "hash_seed_lifetime":
                guard case .integer(let number) = value, number >= 1 else {
                    throw wrong(key == "hash_seed_runs" ? "a number of runs (1 or more)" : "a whole number of seconds (1 or more)")
                }
                if key == "hash_seed_runs" { hashSeedRuns = number } else { hashSeedLifetime = number }
            default:
                throw ConfigurationError(
                    source: path, key: key, line: line,
                    problem: "is not a setting; the settings are \(Self.fileKeys.joined(separator: ", "))")
            }
        }
    }

    private static func splitList(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
    }
}

/// A setting is invalid: where it came from, which key, and what was expected.
package struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The file path, "the environment" or "the command line".
    package var source: String
    /// The key, when one is at fault.
    package var key: String?
    /// The line in the file, when known.
    package var line: Int?
    /// What is wrong.
    package var problem: String

    package init(source: String, key: String?, line: Int? = nil, problem: String) {
        self.source = source
        self.key = key
        self.line = line
        self.problem = problem
    }

    package var description: String {
        guard let key else { return "invalid configuration: \(source) \(problem)" }
        let place = line.map { "\(source), line \($0)" } ?? source
        return "invalid configuration in \(place): '\(key)' \(problem)"
    }
}

extension SocketDirectory {
    /// A directory value that has not been created or checked.
    package init(unchecked path: String) {
        self.path = path
    }
}

