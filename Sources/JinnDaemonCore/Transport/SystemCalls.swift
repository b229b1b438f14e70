import JinnSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls of `JinnSystem` under the names `JinnDaemon` calls them by; each forwards to the one place
/// that implements it. New code imports `JinnSystem` instead.
package enum SystemCalls {
    /// ``JinnSystem/closeDescriptor(_:)``.
    package static func close(_ fd: Int32) -> Int32 { closeDescriptor(fd) }

    /// ``JinnSystem/Errno``'s text, such as `No such file or directory (errno 2)`.
    package static func describe(_ error: Int32) -> String { Errno(rawValue: error).description }

    /// ``JinnSystem/FileSystem/status(_:)``.
    package static func status(_ path: String) -> stat? { FileSystem.status(path) }

    /// ``JinnSystem/FileSystem/linkStatus(_:)``.
    package static func linkStatus(_ path: String) -> stat? { FileSystem.linkStatus(path) }

    /// ``JinnSystem/FileSystem/isDirectory(_:)``.
    package static func isDirectory(_ mode: mode_t) -> Bool { FileSystem.isDirectory(mode) }
}
