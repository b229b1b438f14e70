import JinnDaemonCore
import JinnSystem
import Jinn
import JinnWire
import Synchronization

/// Decides which interpreter runs a script: the configured one, else `python3` (then `python`) on the caller's
/// `PATH`; and inspects each interpreter path once for the daemon's lifetime.
///
/// The inspections are kept here rather than in `PythonInterpreter`'s own cache, so that a run whose interpreter
/// is known never waits for a task. Nothing is locked while an interpreter is inspected: a run for a known
/// interpreter never waits behind the inspection of a new one.
final class InterpreterResolver: Sendable {
    /// Inspects the interpreter at a path (runs it once); called from a plain thread.
    typealias Inspection = @Sendable (_ path: String) throws(JinnError) -> PythonInterpreter

    private let inspect: Inspection
    private let check: @Sendable (_ path: String) -> String?
    private let known = Mutex<[String: PythonInterpreter]>([:])

    /// A resolver that refuses a named interpreter that `check` finds a problem with (by default, one that is
    /// missing or not Python, see `InterpreterCheck`) and inspects new interpreters with `inspect` (by default,
    /// by running them).
    init(inspect: @escaping Inspection = InterpreterResolver.inspectByRunning,
         check: @escaping @Sendable (_ path: String) -> String? = InterpreterCheck.problem(with:))
    {
        self.check = check
        self.inspect = inspect
    }

    /// The interpreter for a run: the one its request names (its environment's), else the configured one, else
    /// `python3` on the caller's `PATH`. A named or configured interpreter must pass ``InterpreterCheck``.
    ///
    /// - Throws: ``DaemonError/interpreter(_:)`` naming what is wrong, where it was set and the fix.
    func interpreter(for request: RunRequest, configuration: Configuration) throws(DaemonError) -> PythonInterpreter {
        let origin: String?
        let configured: String?
        if let bytes = request.interpreter {
            let path = String(decoding: bytes, as: UTF8.self)
            guard path.hasPrefix("/") else {
                throw .interpreter("the run's interpreter must be an absolute path, not '\(path)'")
            }
            (configured, origin) = (path, "the run's environment")
        } else {
            (configured, origin) = (configuration.interpreter, configuration.interpreterOrigin)
        }
        if let configured, let problem = check(configured) {
            throw .interpreter(InterpreterCheck.message(problem, origin: origin))
        }
        do throws(DaemonError) {
            return try interpreter(for: request.environment,
                                   workingDirectory: String(decoding: request.workingDirectory, as: UTF8.self),
                                   configured: configured)
        } catch {
            guard let configured else { throw error }
            throw .interpreter(InterpreterCheck.message("\(configured) cannot be used: \(error)", origin: origin))
        }
    }

    /// The interpreter for a run with this environment (`KEY=VALUE` items).
    ///
    /// - Parameter configured: the `interpreter` setting, which beats the caller's `PATH`.
    /// - Throws: ``DaemonError/interpreter(_:)`` when there is no interpreter, or it cannot be inspected.
    /// - Parameter workingDirectory: the caller's, which relative `PATH` entries (an empty one included) name.
    func interpreter(for environment: [[UInt8]], workingDirectory: String? = nil, configured: String?)
        throws(DaemonError) -> PythonInterpreter
    {
        let path: String
        if let configured {
            path = configured
        } else {
            let searchPath = Self.searchPath(in: environment)
            guard let found = ExecutableSearch.find(["python3", "python"], in: searchPath,
                                                    workingDirectory: workingDirectory)
            else {
                throw .interpreter("no python3 on the caller's PATH (\(searchPath))")
            }
            path = found
        }
        if let interpreter = known.withLock({ $0[path] }) { return interpreter }
        do {
            let inspected = try inspect(path)
            known.withLock { $0[path] = inspected }
            return inspected
        } catch {
            throw .interpreter(error.description)
        }
    }

    /// The `PATH` of an environment given as `KEY=VALUE` items, or the shell's default when it has none.
    static func searchPath(in environment: [[UInt8]]) -> String {
        environment.lazy
            .first { $0.starts(with: Array("PATH=".utf8)) }
            .map { String(decoding: $0.dropFirst(5), as: UTF8.self) } ?? ExecutableSearch.defaultSearchPath
    }

    /// Inspects an interpreter by running it (see `PythonInterpreter.init(path:)`).
    static func inspectByRunning(_ path: String) throws(JinnError) -> PythonInterpreter {
        try runBlocking { () async throws(JinnError) -> PythonInterpreter in
            try await PythonInterpreter(path: path)
        }
    }
}
