#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// This process's environment variables, read without Foundation.
package enum ProcessEnvironment {
    /// The value of the variable `name`, or nil when it is not set.
    package static func value(of name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    /// Every `NAME=value` entry as bytes, in the order the environment holds them (they need not be UTF-8).
    package static func entries() -> [[UInt8]] {
        var entries: [[UInt8]] = []
        var pointer = unsafeCArray
        while let entry = pointer.pointee {
            entries.append(Array(UnsafeRawBufferPointer(start: entry, count: strlen(entry))))
            pointer += 1
        }
        return entries
    }
}
