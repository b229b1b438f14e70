import Jinn

extension PythonInterpreter {
    /// The interpreter a command's `--python PATH` names, or `python3` on `PATH` without it.
    static func chosen(_ path: String?) async throws(JinnError) -> PythonInterpreter {
        if let path { return try await PythonInterpreter(path: path) }
        return try await PythonInterpreter.system()
    }
}
