import JinnDaemonCore

#if canImport(Glibc)
import Glibc
#endif

/// Finds a command on a `PATH` the way a shell does, for the caller's `PATH` rather than the daemon's.
enum ExecutableSearch {
    /// The search path used when the caller's environment has no `PATH`.
    static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// The `PATH` of an environment given as `KEY=VALUE` items, or ``defaultSearchPath``.
    static func searchPath(in environment: [[UInt8]]) -> String {
        environment.lazy
            .first { $0.starts(with: Array("PATH=".utf8)) }
            .map { String(decoding: $0.dropFirst(5), as: UTF8.self) } ?? defaultSearchPath
    }

    /// The first executable file (not a directory) of the names, each looked for in every absolute directory of the
    /// search path in turn, or nil.
    static func find(_ names: [String], in searchPath: String) -> String? {
        for name in names {
            for directory in searchPath.split(separator: ":") where directory.hasPrefix("/") {
                let candidate = directory + "/" + name
                if access(candidate, X_OK) == 0, let info = SystemCalls.status(candidate),
                    !SystemCalls.isDirectory(info.st_mode)
                {
                    return candidate
                }
            }
        }
        return nil
    }
}
