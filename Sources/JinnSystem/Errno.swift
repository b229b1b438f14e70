#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error number that a system call left in `errno` or returned, with the text every message shows for it.
///
/// ```swift
/// guard fd >= 0 else { throw Errno.current }
/// print(Errno(rawValue: ENOENT))   // No such file or directory (errno 2)
/// ```
package struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    /// The number, such as `ENOENT`.
    package var rawValue: Int32

    /// The error number `rawValue`.
    package init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The value of `errno` now: read it right after the call that failed, before anything else can change it.
    package static var current: Errno { Errno(rawValue: errno) }

    /// The system's text with the number, such as `No such file or directory (errno 2)`: the text for a person,
    /// the number for a search.
    package var description: String {
        guard let text = strerror(rawValue) else { return "errno \(rawValue)" }
        return String(cString: text) + " (errno \(rawValue))"
    }
}
