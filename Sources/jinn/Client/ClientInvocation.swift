import JinnWire

/// A `jinn` command line that runs a script, read by hand so that the common case never reaches ArgumentParser:
///
/// ```
/// jinn [OPTIONS] SCRIPT [ARGS…]      # also what `#!/usr/bin/env jinn` runs
/// jinn [OPTIONS] -c CODE [ARGS…]
/// jinn [OPTIONS] -m MODULE [ARGS…]
/// jinn run [OPTIONS] SCRIPT | -c CODE | -m MODULE [ARGS…]
/// ```
///
/// OPTIONS: `-v`, `--no-daemon`, `--config PATH`, `--with REQUIREMENT` and `--requirements FILE` (repeatable).
///
/// Anything else (a subcommand, `--help`, no arguments) is left to `jinn-tool`.
struct ClientInvocation: Equatable {
    /// What runs.
    var entry: RunRequest.Entry
    /// `sys.argv` as `python3` receives it: the script path, `-c` or `-m`, then the arguments.
    var arguments: [[UInt8]]
    /// The arguments an interpreter run directly gets: `[SCRIPT, ARGS…]`, `[-c, CODE, ARGS…]`, `[-m, MODULE, ARGS…]`.
    var pythonArguments: [[UInt8]]
    /// `-v`: diagnostics on standard error.
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

    /// Whether `name` is a subcommand of `jinn-tool` (`JinnCommand`'s, kept in step by a test); a script with one
    /// of these names runs with `jinn run NAME`. A switch rather than a `Set`: the client pays for every generic
    /// type it instantiates at run time, on every run.
    static func isSubcommand(_ name: String) -> Bool {
        switch name {
        case "exec", "python", "env", "repl", "daemon", "sessions", "kill", "lock", "deps", "cache", "new",
             "prepare-run", "help": true
        default: false
        }
    }

    /// Reads the arguments after the program name; nil when they are not a script run.
    static func parse(_ arguments: [[UInt8]]) -> ClientInvocation? {
        var index = 0
        var verbose = false, noDaemon = false
        var configFile: String?
        var with: [[UInt8]] = [], requirementFiles: [[UInt8]] = []
        var sawRun = false
        while index < arguments.count {
            let argument = String(decoding: arguments[index], as: UTF8.self)
            switch argument {
            case "-v", "--verbose":
                verbose = true
                index += 1
                continue
            case "--no-daemon":
                noDaemon = true
                index += 1
                continue
            case "--config", "--with", "--requirements":
                guard index + 1 < arguments.count else { return nil }
                let value = arguments[index + 1]
                if argument == "--config" { configFile = String(decoding: value, as: UTF8.self) }
                if argument == "--with" { with.append(value) }
                if argument == "--requirements" { requirementFiles.append(value) }
                index += 2
                continue
            case "run" where !sawRun:
                sawRun = true
                index += 1
                continue
            default:
                if argument.hasPrefix("--config=") {
                    configFile = String(argument.dropFirst("--config=".count))
                    index += 1
                    continue
                }
                if argument.hasPrefix("--with=") {
                    with.append(Array(arguments[index].dropFirst("--with=".utf8.count)))
                    index += 1
                    continue
                }
                if argument.hasPrefix("--requirements=") {
                    requirementFiles.append(Array(arguments[index].dropFirst("--requirements=".utf8.count)))
                    index += 1
                    continue
                }
            }
            break
        }
        guard index < arguments.count else { return nil }
        let first = arguments[index]
        let firstText = String(decoding: first, as: UTF8.self)
        var invocation: ClientInvocation
        let rest = Array(arguments[(index + 1)...])
        switch firstText {
        case "-c", "-m":
            guard let target = rest.first else { return nil }
            let tail = Array(rest.dropFirst())
            invocation = ClientInvocation(
                entry: firstText == "-c" ? .code(target) : .module(target),
                arguments: [first] + tail, pythonArguments: [first, target] + tail)
        default:
            if firstText.hasPrefix("-") { return nil }
            if !sawRun && isSubcommand(firstText) { return nil }
            invocation = ClientInvocation(entry: .script(first), arguments: [first] + rest,
                                          pythonArguments: [first] + rest)
        }
        invocation.verbose = verbose
        invocation.noDaemon = noDaemon
        invocation.configFile = configFile
        invocation.with = with
        invocation.requirementFiles = requirementFiles
        invocation.original = arguments
        return invocation
    }
}
