#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A NULL-terminated array of C strings that owns its memory: the `argv` and `envp` of `execve` and `jinn_spawn`.
///
/// ```swift
/// let arguments = CStringArray([path, "-c", "print(1)"])
/// arguments.withUnsafePointer { execv(path, $0) }
/// ```
///
/// A string is cut at its first NUL byte, as C reads it.
package struct CStringArray: ~Copyable {
    private let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    /// How many strings there are (the NULL after them not counted).
    package let count: Int

    /// The strings as bytes, which need not be UTF-8 (command-line arguments, file names).
    package init(_ strings: [[UInt8]]) {
        count = strings.count
        pointers = .allocate(capacity: count + 1)
        for (index, string) in strings.enumerated() {
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: string.count + 1)
            for (offset, byte) in string.enumerated() { copy[offset] = CChar(bitPattern: byte) }
            copy[string.count] = 0
            (pointers + index).initialize(to: copy)
        }
        (pointers + count).initialize(to: nil)
    }

    /// The strings, as UTF-8.
    package init(_ strings: [String]) {
        self.init(strings.map { Array($0.utf8) })
    }

    deinit {
        for index in 0..<count { pointers[index]?.deallocate() }
        pointers.deallocate()
    }

    /// Calls `body` with the array; the pointers are valid only inside `body`.
    package borrowing func withUnsafePointer<Result>(
        _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) throws -> Result
    ) rethrows -> Result {
        try body(pointers)
    }
}
