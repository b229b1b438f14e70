import Foundation
import JinnSystem

/// Everything that can go wrong when Jinn starts, talks to or stops a Python process.
///
/// Each case carries what a user needs to act on it: the path and version of an interpreter, the module a
/// program got wrong, the Python exception with its traceback, or how a process ended.
///
/// ```swift
/// do {
///     try await process.waitForSuccess()
/// } catch .python(let exception, _) {
///     print(exception.typeName, exception.message, exception.frames.last?.line ?? 0)
/// }
/// ```
public enum JinnError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// No Python interpreter was found on the search path.
    case interpreterNotFound(searched: [String])
    /// The interpreter path does not exist or is not executable.
    case interpreterNotExecutable(path: String)
    /// The interpreter is older than the oldest version Jinn supports (3.9).
    case unsupportedPython(path: String, version: String)
    /// The interpreter ran but did not describe itself.
    case interpreterInspectionFailed(path: String, details: String)
    /// A program was refused before anything was launched.
    case invalidProgram(String)
    /// The operating system refused to start the process.
    case launchFailed(path: String, errno: Int32)
    /// Python raised an exception that was not caught. `termination` is set when the exception ended the process.
    case python(PythonException, termination: Termination?)
    /// The process ended unsuccessfully without a Python exception: a non-zero exit status or a signal.
    ///
    /// ``PythonProcess/waitForSuccess()`` throws it; compare ``processNotRunning(_:)``, which an operation throws
    /// when it needs a process that has already ended.
    case processFailed(Termination)
    /// The operation needs a running process, and the process has ended (how, when that is known yet).
    case processNotRunning(Termination?)
    /// The other side broke the message protocol.
    case protocolViolation(String)
    /// A system call failed.
    case system(operation: String, errno: Int32)
    /// An operation took longer than its deadline.
    case timedOut(operation: String, seconds: Double)
    /// The task that waited for an operation was cancelled.
    case cancelled(operation: String)
    /// A value did not fit the type it was converted to, between Swift's `Codable` types and Python values.
    case valueConversion(String)
    /// Creating, changing, freezing or restoring a Python environment failed.
    case environment(EnvironmentError)
    /// A shared-memory segment, shared array or named semaphore could not be made, opened or used.
    case sharedMemory(SharedMemoryError)

    /// The error's description, so that `localizedDescription` reads as ``description`` does.
    public var errorDescription: String? { description }

    /// Renamed ``processFailed(_:)``, which is easier to tell from ``processNotRunning(_:)``.
    @available(*, deprecated, renamed: "processFailed")
    public static func processEnded(_ termination: Termination) -> JinnError { .processFailed(termination) }

    public var description: String {
        switch self {
        case .interpreterNotFound(let searched):
            return "no Python interpreter (python3 or python) was found on PATH"
                + (searched.isEmpty ? " (PATH is empty)" : " (searched: \(searched.joined(separator: ":")))")
                + "; install Python 3.9 or newer, or name one explicitly"
        case .interpreterNotExecutable(let path):
            return "the Python interpreter '\(path)' does not exist or is not executable"
        case .unsupportedPython(let path, let version):
            return "the Python interpreter '\(path)' is version \(version); Jinn needs Python 3.9 or newer"
        case .interpreterInspectionFailed(let path, let details):
            return "'\(path)' is not a working Python interpreter: asked to describe itself, \(details)\n"
                + "name a Python 3.9 or newer executable, such as python3 or an environment's bin/python"
        case .invalidProgram(let reason):
            return "invalid program: \(reason)"
        case .launchFailed(let path, let errno):
            return "could not start '\(path)': \(Errno(rawValue: errno))"
        case .python(let exception, let termination):
            var text = exception.description
            if let termination { text += "\n(the process \(termination))" }
            return text
        case .processFailed(let termination):
            return "the Python process \(termination)"
        case .processNotRunning(let termination):
            return "the Python process is not running" + (termination.map { " (it \($0))" } ?? "")
                + "; start a new process to go on"
        case .protocolViolation(let message):
            return "protocol error: \(message)"
        case .system(let operation, let errno):
            return "\(operation) failed: \(Errno(rawValue: errno))"
        case .timedOut(let operation, let seconds):
            return "\(operation) did not finish within \(seconds) seconds"
        case .cancelled(let operation):
            return "\(operation) was cancelled"
        case .valueConversion(let message):
            return "value conversion failed: \(message)"
        case .environment(let error):
            return error.description
        case .sharedMemory(let error):
            return error.description
        }
    }
}
