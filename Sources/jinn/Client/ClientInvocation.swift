import JinnWire

/// A `jinn` command line that runs a script, read by hand so that the common case never reaches ArgumentParser:
///
/// ```
/// jinn [-v] [--no-daemon] [--config PATH] SCRIPT [ARGS…]      # also what `#!/usr/bin/env jinn` runs
/// jinn [-v] [--no-daemon] [--config PATH] -c CODE [ARGS…]
/// jinn [-v] [--no-daemon] [--config PATH] -m MODULE [ARGS…]
/// jinn run [-v] [--no-daemon] [--config PATH] SCRIPT | -c CODE | -m MODULE [ARGS…]
/// ```
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

    /// Whether `name` is a subcommand of `jinn-tool` (`JinnCommand`'s, kept in step by a test); a script with one
    /// of these names runs with `jinn run NAME`. A switch rather than a `Set`: the client pays for every generic
    /// type it instantiates at run time, on every run.
    static func isSubcommand(_ name: String) -> Bool {
        switch name {
        case "exec", "python", "env", "repl", "daemon", "sessions", "kill", "help": true
        default: false
        }
    }

    /// Reads the arguments after the program name; nil when they are not a script run.
    static func parse(_ arguments: [[UInt8]]) -> ClientInvocation? {
        var index = 0
        var verbose = false, noDaemon = false
        var configFile: String?
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
            case "--config":
                guard index + 1 < arguments.count else { return nil }
                configFile = String(decoding: arguments[index + 1], as: UTF8.self)
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
        return invocation
    }
}
