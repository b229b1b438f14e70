import JinnWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names the code a client or daemon runs, so that a client never talks to a daemon built from other code: the
/// release, the protocol version, and the size and modification time of the executable file.
package enum BuildIdentity {
    /// The release of Jinn.
    package static let release = "0.1.0"

    /// The identity of this process's executable.
    package static func current() -> String {
        var identity = "jinn \(release) protocol \(DaemonProtocol.version)"
        #if os(Linux)
        if let path = SystemCalls.executablePath(), let info = SystemCalls.status(path) {
            identity += " build \(info.st_size)-\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
        #endif
        return identity
    }
}
