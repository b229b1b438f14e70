import ArgumentParser
import JinnDaemon
import JinnDaemonCore

/// The settings every daemon-related subcommand accepts; they beat `JINN_*` variables and the file.
struct DaemonOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file (default: ~/.config/jinn/config.toml).")
    var config: String?

    @Option(name: .long, help: "The daemon's private socket directory.")
    var socketDir: String?

    @Option(name: .long, help: "The interpreter that runs scripts (default: python3 on the caller's PATH).")
    var python: String?

    @Option(name: .long, parsing: .singleValue,
            help: "A module for the zygote to import before forking (repeat, or separate with commas).")
    var preload: [String] = []

    @Option(name: .long, help: "Seconds without runs after which the daemon exits (0: never).")
    var idleTimeout: Int?

    @Option(name: .long, help: "The daemon's log file.")
    var logFile: String?

    @Option(name: .long, help: "The lowest log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    var flags: Configuration.Flags {
        Configuration.Flags(
            configFile: config, interpreter: python,
            preload: preload.isEmpty ? nil : preload.flatMap { $0.split(separator: ",").map(String.init) },
            idleTimeout: idleTimeout, socketDirectory: socketDir, logFile: logFile, logLevel: logLevel)
    }

    /// The settings in effect, or exit status 2 with the error.
    func resolve() throws -> Configuration {
        do {
            return try Configuration.resolve(flags: flags)
        } catch {
            printError("jinn: \(error)")
            throw ExitCode(2)
        }
    }
}
