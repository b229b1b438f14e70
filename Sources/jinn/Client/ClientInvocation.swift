import JinnWire

/// A `jinn` command line that runs Python, read by hand so that the common case never reaches ArgumentParser. It
/// takes `python3`'s own grammar, with Jinn's options mixed in before what runs:
///
/// ```
/// jinn [OPTIONS] SCRIPT [ARGS…]      # also what `#!/usr/bin/env jinn` runs
/// jinn [OPTIONS] -c CODE [ARGS…]
/// jinn [OPTIONS] -m MODULE [ARGS…]
/// jinn [OPTIONS] - [ARGS…]           # the script on standard input; a terminal: the interactive interpreter
/// jinn [OPTIONS]                     # the same, with sys.argv == [""]
/// jinn run [OPTIONS] SCRIPT | -c CODE | -m MODULE [ARGS…]
/// ```
///
/// OPTIONS are Jinn's, all long ones that python3 does not have (`--verbose`, `--no-daemon`, `--config PATH`,
/// `--with REQUIREMENT` and `--requirements FILE`, repeatable), and `python3`'s (see ``PythonOptions``: `-u`, `-B`,
/// `-O`, `-v`, `-W ARG`, `-X OPT`, `-uc CODE`, `--`, …), so every python3 command line means what it means there.
///
/// A subcommand (`jinn daemon status`, `jinn help`) is left to `jinn-tool`.
struct ClientInvocation: Equatable {
    /// What runs.
    var entry: RunRequest.Entry
    /// `sys.argv` as `python3` receives it: the script path, `-c` or `-m`, `-` or `""`, then the arguments.
    var arguments: [[UInt8]]
    /// The arguments an interpreter run directly gets: python3's options as typed, then `[SCRIPT, ARGS…]`,
    /// `[-c, CODE, ARGS…]`, `[-m, MODULE, ARGS…]`.
    var pythonArguments: [[UInt8]]
    /// python3's start-up options, one word each (`-O`, `-W`, `default`), which the run's zygote starts with.
    var interpreterOptions: [[UInt8]] = []
    /// Whether the command line has python3 options or reads the script from standard input: then the request
    /// says how the run's `sys.orig_argv` and start-up look (``RunOptions``).
    var hasPythonCommandLine = false
    /// Why the interpreter must run in this process's place (`-V`, `-h`, `-i`, an option python3 refuses, which it
    /// then answers itself), or nil for a run the daemon serves.
    var directReason: String?
    /// What is wrong with Jinn's own options (`--with` without its value), said before anything runs.
    var usageError: String?
    /// `--verbose`: diagnostics on standard error.
    var verbose = false
    /// `--no-daemon`: run the interpreter directly.
    var noDaemon = false
    /// `--config PATH`.
    var configFile: String?
    /// `--with REQUIREMENT`, in order.
    var with: [[UInt8]] = []
    /// `--requirements FILE`, in order.
    var requirementFiles: [[UInt8]] = []
    /// The whole command line after the program name, for a hand-over to `jinn-tool` that runs it again.
    var original: [[UInt8]] = []

    /// The script file this run reads, if it is one: not standard input, and not a run the interpreter serves
    /// directly.
    var scriptFile: [UInt8]? {
        guard directReason == nil, case .script(let path) = entry, path != [UInt8(ascii: "-")] else { return nil }
        return path
    }

    /// What the request tells the zygote about the command line, nil for a plain one (today's request).
    var runOptions: RunOptions? {
        hasPythonCommandLine ? RunOptions(interpreter: interpreterOptions, commandLine: pythonArguments) : nil
    }

    /// Whether `name` is a subcommand of `jinn-tool` (`JinnCommand`'s, kept in step by a test); a script with one
    /// of these names runs with `jinn run NAME`. A switch rather than a `Set`: the client pays for every generic
    /// type it instantiates at run time, on every run.
    static func isSubcommand(_ name: [UInt8]) -> Bool {
        switch String(decoding: name, as: UTF8.self) {
        case "exec", "python", "env", "repl", "daemon", "sessions", "kill", "lock", "deps", "cache", "new",
             "prepare-run", "help": true
        default: false
        }
    }

    /// Reads the arguments after the program name; nil when they are a subcommand of `jinn-tool`. Jinn's own option
    /// without its value gives an invocation with a ``usageError``.
    static func parse(_ arguments: [[UInt8]]) -> ClientInvocation? {
        var jinn = JinnOptions()
        var python = PythonOptions()
        var index = 0
        var sawRun = false
        var endOfOptions = false
        while index < arguments.count {
            let word = arguments[index]
            switch jinn.read(arguments, at: index) {
            case .taken(let count):
                index += count
                continue
            case .missingValue:
                var invalid = ClientInvocation(entry: .code([]), arguments: [], pythonArguments: [])
                invalid.usageError = String(decoding: word, as: UTF8.self) + " needs a value"
                return invalid
            case .notJinns:
                break
            }
            if !sawRun && python.typed.isEmpty && isWord(word, "run") {
                sawRun = true
                index += 1
                continue
            }
            guard word.count > 1, word[0] == UInt8(ascii: "-") else { break }
            if isWord(word, "--") {
                python.typed.append(word)
                index += 1
                endOfOptions = true
                break
            }
            guard let used = python.read(arguments, at: index) else { break }
            index += used
            if python.entry != nil || python.directReason != nil { break }
        }
        var invocation: ClientInvocation
        let rest = Array(arguments[min(index, arguments.count)...])
        if let reason = python.directReason {
            invocation = ClientInvocation(entry: .code([]), arguments: [], pythonArguments: python.typed + rest)
            invocation.directReason = reason
        } else if let entry = python.entry {
            // -c CODE or -m MODULE: sys.argv[0] is "-c" or "-m".
            let flag: [UInt8] = if case .code = entry { Array("-c".utf8) } else { Array("-m".utf8) }
            invocation = ClientInvocation(entry: entry, arguments: [flag] + rest,
                                          pythonArguments: python.typed + rest)
        } else if index < arguments.count {
            let first = arguments[index]
            let tail = Array(arguments[(index + 1)...])
            if !sawRun && !endOfOptions && python.typed.isEmpty && isSubcommand(first) { return nil }
            invocation = ClientInvocation(entry: .script(first), arguments: [first] + tail,
                                          pythonArguments: python.typed + [first] + tail)
            // A script from standard input; from a terminal, the run is python3's interactive interpreter.
            if isWord(first, "-") { invocation.hasPythonCommandLine = true }
        } else {
            // python3 with no script reads standard input, a terminal interactively: sys.argv == [""].
            invocation = ClientInvocation(entry: .script(Array("-".utf8)), arguments: [[]],
                                          pythonArguments: python.typed)
            invocation.hasPythonCommandLine = true
        }
        invocation.interpreterOptions = python.options
        if !python.typed.isEmpty { invocation.hasPythonCommandLine = true }
        invocation.verbose = jinn.verbose
        invocation.noDaemon = jinn.noDaemon
        invocation.configFile = jinn.configFile
        invocation.with = jinn.with
        invocation.requirementFiles = jinn.requirementFiles
        invocation.original = arguments
        return invocation
    }

    static func isWord(_ word: [UInt8], _ text: StaticString) -> Bool {
        guard word.count == text.utf8CodeUnitCount else { return false }
        let start = text.utf8Start
        for offset in 0..<word.count where word[offset] != start[offset] { return false }
        return true
    }
}

/// Jinn's own options on a command line that runs Python.
struct JinnOptions {
    enum Reading {
        /// The option and its value took this many words.
        case taken(Int)
        /// `--config`, `--with` or `--requirements` ends the command line.
        case missingValue
        /// The word is not one of Jinn's options.
        case notJinns
    }

    var verbose = false
    var noDaemon = false
    var configFile: String?
    var with: [[UInt8]] = []
    var requirementFiles: [[UInt8]] = []

    mutating func read(_ arguments: [[UInt8]], at index: Int) -> Reading {
        let word = arguments[index]
        guard word.count > 1, word[0] == UInt8(ascii: "-") else { return .notJinns }
        if ClientInvocation.isWord(word, "--verbose") {
            verbose = true
            return .taken(1)
        }
        if ClientInvocation.isWord(word, "--no-daemon") {
            noDaemon = true
            return .taken(1)
        }
        guard word.count > 2, word[1] == UInt8(ascii: "-") else { return .notJinns }
        for (name, slot) in [("--config", 0), ("--with", 1), ("--requirements", 2)] {
            let prefix = Array(name.utf8)
            guard word.count >= prefix.count, Array(word[..<prefix.count]) == prefix else { continue }
            let value: [UInt8]
            let used: Int
            if word.count == prefix.count {
                guard index + 1 < arguments.count else { return .missingValue }
                value = arguments[index + 1]
                used = 2
            } else if word[prefix.count] == UInt8(ascii: "=") {
                value = Array(word[(prefix.count + 1)...])
                used = 1
            } else {
                continue
            }
            switch slot {
            case 0: configFile = String(decoding: value, as: UTF8.self)
            case 1: with.append(value)
            default: requirementFiles.append(value)
            }
            return .taken(used)
        }
        return .notJinns
    }
}
