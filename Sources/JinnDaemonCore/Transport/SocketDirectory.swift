import JinnSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The private per-user directory that holds the daemon's socket, lock and (by default) log.
///
/// By default `$XDG_RUNTIME_DIR/jinn`, else `$TMPDIR/jinn-UID` (`/tmp/jinn-UID`). It is created with mode 0700 and
/// refused unless it is a real directory (not a symbolic link) owned by this user that nobody else can enter.
///
/// ```swift
/// let directory = try SocketDirectory(path: SocketDirectory.defaultPath())
/// print(directory.socketPath)   // /run/user/1000/jinn/daemon.sock
/// ```
package struct SocketDirectory: Sendable, Equatable {
    /// The directory.
    package var path: String

    /// The daemon's listening socket.
    package var socketPath: String { path + "/daemon.sock" }
    /// The lock the running daemon holds for as long as it serves.
    package var lockPath: String { path + "/daemon.lock" }
    /// The default log file.
    package var logPath: String { path + "/daemon.log" }

    /// The default directory for this user.
    package static func defaultPath(environment: (String) -> String? = ProcessEnvironment.value(of:)) -> String {
        if let runtime = environment("XDG_RUNTIME_DIR"), runtime.hasPrefix("/") {
            return runtime + "/jinn"
        }
        var temporary = environment("TMPDIR") ?? "/tmp"
        if temporary.isEmpty || !temporary.hasPrefix("/") { temporary = "/tmp" }
        while temporary.count > 1 && temporary.hasSuffix("/") { temporary.removeLast() }
        return temporary + "/jinn-\(getuid())"
    }

    /// Creates the directory if needed and checks that it is private.
    ///
    /// - Throws: ``SocketDirectoryError`` naming the path and what is wrong with it.
    package init(path: String) throws(SocketDirectoryError) {
        self.path = path
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            let error = Errno.current
            if error.rawValue == ENOENT {
                // The parent is missing (a fresh TMPDIR or a configured path): create the chain.
                try Self.createParents(of: path)
                if mkdir(path, 0o700) != 0 && errno != EEXIST {
                    throw SocketDirectoryError(path: path, problem: "cannot be created: \(Errno.current)")
                }
            } else {
                throw SocketDirectoryError(path: path, problem: "cannot be created: \(error)")
            }
        }
        try check()
    }

    /// Checks ownership and mode without creating anything.
    package func check() throws(SocketDirectoryError) {
        guard let info = FileSystem.linkStatus(path) else {
            throw SocketDirectoryError(path: path, problem: "cannot be examined: \(Errno.current)")
        }
        guard FileSystem.isDirectory(info.st_mode) else {
            throw SocketDirectoryError(path: path, problem: "is not a directory (a symbolic link is refused too)")
        }
        guard info.st_uid == getuid() else {
            throw SocketDirectoryError(path: path, problem: "belongs to uid \(info.st_uid), not to this user (uid \(getuid()))")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw SocketDirectoryError(
                path: path,
                problem: "is open to other users (mode \(String(info.st_mode & 0o777, radix: 8))); it must be 700")
        }
    }

    private static func createParents(of path: String) throws(SocketDirectoryError) {
        var prefix = ""
        let parts = path.split(separator: "/").dropLast()
        for part in parts {
            prefix += "/" + part
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw SocketDirectoryError(path: path, problem: "cannot create \(prefix): \(Errno.current)")
            }
        }
    }
}

/// The socket directory cannot be used.
package struct SocketDirectoryError: Error, CustomStringConvertible {
    package var path: String
    package var problem: String
    package var description: String { "the socket directory \(path) \(problem)" }
}
