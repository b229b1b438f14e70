import Foundation

/// What went wrong with a shared-memory segment, a shared array or a named semaphore.
///
/// It reaches callers as ``JinnError/sharedMemory(_:)``; nothing was mapped or left behind when it is thrown.
///
/// ```swift
/// do {
///     _ = try SharedArray<Float>(opening: "no-such-array")
/// } catch .sharedMemory(.notFound(let name)) {
///     print(name)   // no-such-array
/// }
/// ```
public enum SharedMemoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name cannot name a segment or a semaphore.
    case invalidName(String, reason: String)
    /// No segment or semaphore has this name.
    case notFound(name: String)
    /// A segment or semaphore of this name exists already.
    case alreadyExists(name: String)
    /// A size or shape is negative, zero where it cannot be, or too large to count in bytes.
    case invalidSize(String)
    /// The segment's array header does not match what was asked for: `field` is `size` (too small for a header),
    /// `magic`, `version`, `rank`, `dtype`, `element size`, `shape`, `strides`, `data offset` or `data size`.
    case headerMismatch(segment: String, field: String, expected: String, found: String)
    /// The array's header describes more bytes than the segment holds.
    case shapeTooLarge(segment: String, shape: [Int], bytes: Int, segmentSize: Int)
    /// The segment was closed before this use.
    case closed(segment: String)
    /// A system call failed.
    case system(operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .invalidName(let name, let reason):
            return "'\(name)' cannot name shared memory: \(reason)"
        case .notFound(let name):
            return "no shared memory named '\(name)' exists; create it first, or check the name"
        case .alreadyExists(let name):
            return "shared memory named '\(name)' exists already; open it instead, or unlink it first"
        case .invalidSize(let reason):
            return "invalid shared-memory size: \(reason)"
        case .headerMismatch(let segment, let field, let expected, let found):
            return "the array header of \(segment) does not match: its \(field) is \(found), expected \(expected)"
        case .shapeTooLarge(let segment, let shape, let bytes, let segmentSize):
            return "the array header of \(segment) describes shape \(shape) (\(bytes) bytes with the header), "
                + "but the segment has only \(segmentSize) bytes"
        case .closed(let segment):
            return "\(segment) was closed; open or create it again"
        case .system(let operation, let errno):
            return "\(operation) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        }
    }
}
