import CJinn
import JinnDaemonCore
import JinnSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces this process with the interpreter, so a script runs exactly as `python3 SCRIPT` would when the
/// daemon cannot serve (`--no-daemon`, an unusable socket directory, a daemon that does not answer).
enum DirectRun {
    /// Status 127, as a shell's for a command it cannot find, when there is no usable interpreter.
    ///
    /// - Parameters:
    ///   - environmentInterpreter: the interpreter of the script's own environment, which wins over the
    ///     configuration's.
    ///   - keeping: a descriptor the interpreter inherits (the mark that its environment is in use).
    static func exec(_ invocation: ClientInvocation, configuration: Configuration, diagnostics: Diagnostics,
                     environmentInterpreter: String? = nil, keeping: Int32? = nil) -> Never
    {
        var path: String
        if let environmentInterpreter {
            path = environmentInterpreter
        } else if let configured = configuration.interpreter {
            // The daemon's check too: a setting that names something else must not run the script with it.
            if let problem = InterpreterCheck.problem(with: configured) {
                printError("jinn: " + InterpreterCheck.message(problem, origin: configuration.interpreterOrigin))
                exit(127)
            }
            path = configured
        } else {
            // The library's and the daemon's search, so that a direct run starts what a daemon run would.
            guard let found = ExecutableSearch.find(["python3", "python"]) else {
                printError("jinn: no python3 on PATH; install Python or set 'interpreter' in "
                           + (Configuration.filePath() ?? "the configuration file"))
                exit(127)
            }
            path = found
        }
        if FileSystem.currentDirectory() == nil { path = WorkingDirectory.interpreterOutside(path, diagnostics) }
        diagnostics.note("exec \(path)")
        let arguments = CStringArray([Array(path.utf8)] + invocation.pythonArguments)
        // Signal dispositions set for forwarding must not leak into the interpreter; an ignored signal was never
        // given one, and stays ignored, as the caller left it.
        for number in ScriptClient.forwardedSignals where jinn_signal_is_ignored(number) == 0 { signal(number, SIG_DFL) }
        if let keeping { _ = fcntl(keeping, F_SETFD, 0) }
        arguments.withUnsafePointer { _ = execv(path, $0) }
        printError("jinn: cannot run \(path): \(Errno.current)")
        exit(127)
    }
}
