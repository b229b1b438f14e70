import JinnSystem
import JinnWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names the code a client or daemon runs, so that a client never talks to a daemon built from other code: the
/// release, the protocol version, and the size and modification time of both installed executables (``Executables``),
/// which the client and the daemon find in the same directory.
package enum BuildIdentity {
    /// The release of Jinn.
    package static let release = "0.1.0"

    /// The identity of the executables beside this process's own.
    package static func current() -> String {
        var identity = "jinn \(release) protocol \(DaemonProtocol.version)"
        for name in [Executables.client, Executables.tool] {
            if let path = Executables.sibling(name), let info = FileSystem.status(path) {
                let modified = FileSystem.modificationTime(info)
                identity += " \(name) \(info.st_size)-\(modified.tv_sec).\(modified.tv_nsec)"
            }
        }
        return identity
    }
}
