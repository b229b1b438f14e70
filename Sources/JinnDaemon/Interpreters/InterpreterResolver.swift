import JinnSystem
import Jinn
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
    private let known = Mutex<[String: PythonInterpreter]>([:])

    /// A resolver that inspects new interpreters with `inspect` (by default, by running them).
    init(inspect: @escaping Inspection = InterpreterResolver.inspectByRunning) {
        self.inspect = inspect
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
