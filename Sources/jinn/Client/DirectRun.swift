import CJinn
import JinnDaemonCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces this process with the interpreter, so a script runs exactly as `python3 SCRIPT` would when the
/// daemon cannot serve (`--no-daemon`, an unusable socket directory, a daemon that does not answer).
enum DirectRun {
    static func exec(_ invocation: ClientInvocation, interpreter: String?, diagnostics: Diagnostics) -> Never {
        let path = interpreter ?? find("python3") ?? find("python")
        guard let path else {
            printError("jinn: no python3 on PATH; install Python or set 'interpreter' in the configuration")
            exit(127)
        }
        diagnostics.note("exec \(path)")
        var arguments: [UnsafeMutablePointer<CChar>?] = [strdup(path)]
        for argument in invocation.pythonArguments {
            arguments.append(argument.withUnsafeBufferPointer { bytes in
                let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
                for (index, byte) in bytes.enumerated() { copy[index] = CChar(bitPattern: byte) }
                copy[bytes.count] = 0
                return copy
            })
        }
        arguments.append(nil)
        // Signal dispositions set for forwarding must not leak into the interpreter.
        for number in ScriptClient.forwardedSignals { signal(number, SIG_DFL) }
        execv(path, arguments)
        printError("jinn: cannot run \(path): \(SystemCalls.describe(errno))")
        exit(127)
    }

    /// The first executable `name` on `PATH`.
    static func find(_ name: String) -> String? {
        let searchPath = SystemCalls.environment("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            if access(candidate, X_OK) == 0, let info = SystemCalls.status(candidate),
                !SystemCalls.isDirectory(info.st_mode)
            {
                return candidate
            }
        }
        return nil
    }
}
