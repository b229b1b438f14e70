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
    /// - Parameter keeping: a descriptor the interpreter inherits (the mark that its environment is in use).
    static func exec(_ invocation: ClientInvocation, interpreter: String?, diagnostics: Diagnostics,
                     keeping: Int32? = nil) -> Never
    {
        // The library's and the daemon's search, so that a direct run starts what a daemon run would.
        guard let path = interpreter ?? ExecutableSearch.find(["python3", "python"]) else {
            printError("jinn: no python3 on PATH; install Python or set 'interpreter' in the configuration")
            exit(127)
        }
        diagnostics.note("exec \(path)")
        let arguments = CStringArray([Array(path.utf8)] + invocation.pythonArguments)
        // Signal dispositions set for forwarding must not leak into the interpreter.
        for number in ScriptClient.forwardedSignals { signal(number, SIG_DFL) }
        if let keeping { _ = fcntl(keeping, F_SETFD, 0) }
        arguments.withUnsafePointer { _ = execv(path, $0) }
        printError("jinn: cannot run \(path): \(Errno.current)")
        exit(127)
    }
}
