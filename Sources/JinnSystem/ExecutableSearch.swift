#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds a program on a `PATH`-style search path by the rules of the shell (POSIX `execvp` and `command -v`), so
/// that the library, the client's direct runs and the daemon pick the same file from the same `PATH`.
///
/// - The directories are tried in order; an empty entry (a leading, trailing or doubled `:`, or an empty `PATH`)
///   is the current directory.
/// - A candidate that is a directory, or that this process may not execute, is passed over.
/// - A name that contains `/` is not searched for: it names the file itself.
/// - An unset `PATH` means ``defaultSearchPath``.
///
/// ```swift
/// ExecutableSearch.find(["python3", "python"], in: "/opt/py/bin::/usr/bin")   // "/usr/bin/python3"
/// ```
package enum ExecutableSearch {
    /// The search path when `PATH` is not set. What `execvp` uses then is left to each system (glibc's is
    /// `/bin:/usr/bin`); this one also holds the common place of a locally installed Python, and is what the daemon
    /// searches for a request that brings no `PATH`.
    package static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// This process's `PATH`, or ``defaultSearchPath`` when it is not set.
    package static var processSearchPath: String {
        ProcessEnvironment.value(of: "PATH") ?? defaultSearchPath
    }

    /// The directories of a search path in the order they are searched, an empty entry read as `.`.
    package static func directories(in searchPath: String) -> [String] {
        searchPath.split(separator: ":", omittingEmptySubsequences: false).map { $0.isEmpty ? "." : String($0) }
    }

    /// The first executable file called `name` on `searchPath` (by default this process's `PATH`), or nil.
    ///
    /// - Parameter workingDirectory: the directory relative entries (`.` among them) are taken from, for a search
    ///   on behalf of a process whose current directory is another; by default this process's, and then the
    ///   result is relative when the entry was.
    package static func find(_ name: String, in searchPath: String? = nil, workingDirectory: String? = nil)
        -> String?
    {
        find([name], in: searchPath, workingDirectory: workingDirectory)
    }

    /// The first of `names` found on `searchPath`: every directory is searched for a name before the next name is
    /// tried, as `command -v python3 || command -v python` would.
    package static func find(_ names: [String], in searchPath: String? = nil, workingDirectory: String? = nil)
        -> String?
    {
        let directories = directories(in: searchPath ?? processSearchPath).map { directory in
            guard let workingDirectory, !directory.hasPrefix("/") else { return directory }
            return directory == "." ? workingDirectory : workingDirectory + "/" + directory
        }
        for name in names {
            if name.contains("/") {
                let path = name.hasPrefix("/") ? name : workingDirectory.map { $0 + "/" + name } ?? name
                if isExecutableFile(path) { return path }
                continue
            }
            for directory in directories {
                let candidate = directory + "/" + name
                if isExecutableFile(candidate) { return candidate }
            }
        }
        return nil
    }

    /// Whether `path` is a file this process may execute: executable (by `access`) and not a directory, which
    /// `access` alone would let through.
    package static func isExecutableFile(_ path: String) -> Bool {
        guard access(path, X_OK) == 0, let status = FileSystem.status(path) else { return false }
        return !FileSystem.isDirectory(status.st_mode)
    }
}
