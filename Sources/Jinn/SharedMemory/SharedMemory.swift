import CJinn
import Foundation
import Synchronization

/// A segment of memory that this process and Python processes map together: what one writes, the others read,
/// with no copy and nothing sent.
///
/// An anonymous segment (a memfd on Linux) has no name: it reaches a Python process as a descriptor, with a call
/// that takes it, and disappears with its last mapping, so nothing can outlive the processes that use it. A named
/// segment (POSIX `shm_open`) can be opened by any process that knows its name, Python's
/// `multiprocessing.shared_memory.SharedMemory(name)` included. Its creator owns it: the name is unlinked when the
/// owner closes the segment, and when the owner ends, however it ends (a keeper process unlinks it after a
/// SIGKILL). Opening a segment never truncates or unlinks it.
///
/// ```swift
/// let segment = try SharedMemory(creating: "jinn-readme-bytes", size: 4096)
/// segment.withUnsafeMutableBytes { $0.storeBytes(of: 42, as: UInt32.self) }
/// let other = try SharedMemory(opening: "jinn-readme-bytes")   // the same pages
/// print(other.withUnsafeMutableBytes { $0.load(as: UInt32.self) })   // 42
/// segment.close()                                               // unlinks the name
/// ```
///
/// Closing is deferred: ``close()`` gives up the name (an owner's) and Python's hold on an anonymous segment, but
/// this process's mapping stays until the last reference to the segment (a ``SharedArray`` included) is gone, so
/// no pointer into it can dangle.
public final class SharedMemory: Sendable {
    /// The name without its leading slash; nil for an anonymous segment.
    public let name: String?
    /// The size in bytes.
    public let size: Int
    /// Whether this segment was created here, so that closing it (or ending this process) unlinks its name.
    public let isOwner: Bool

    /// Identifies an anonymous segment to the Python processes it is sent to.
    let token: UInt64
    /// An anonymous segment's descriptor, kept to send it; -1 for a named one.
    let descriptor: Int32
    private nonisolated(unsafe) let base: UnsafeMutableRawPointer
    private let state = Mutex(State())

    private struct State {
        var closed = false
        /// The processes this anonymous segment was sent to, which forget it when it closes.
        var holders: [WeakProcess] = []
    }

    struct WeakProcess: @unchecked Sendable {
        weak var process: PythonProcess?
    }

    private static let tokens = Atomic<UInt64>(1)

    /// A token no other segment or result of this process has.
    static func makeToken() -> UInt64 {
        tokens.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Creates an anonymous segment of `size` bytes, filled with zeros.
    ///
    /// - Throws: ``SharedMemoryError/invalidSize(_:)`` for a size below 1; ``SharedMemoryError/system(operation:errno:)``
    ///   when the system refuses.
    public convenience init(size: Int) throws(JinnError) {
        guard size > 0 else { throw .sharedMemory(.invalidSize("a segment needs at least 1 byte, not \(size)")) }
        let fd = jinn_shared_memory(size)
        guard fd >= 0 else { throw .sharedMemory(.system(operation: "creating a segment of \(size) bytes", errno: errno)) }
        try self.init(descriptor: fd, size: size, name: nil, isOwner: true, keepDescriptor: true)
    }

    /// Creates the named segment `name` (without a leading slash, at most 30 bytes of letters, digits, `_`, `-`
    /// and `.`), `size` bytes of zeros, owned by this process.
    ///
    /// - Throws: ``SharedMemoryError/alreadyExists(name:)`` when the name is taken (open it instead);
    ///   ``SharedMemoryError/invalidName(_:reason:)``, ``SharedMemoryError/invalidSize(_:)``.
    public convenience init(creating name: String, size: Int) throws(JinnError) {
        let systemName = try SharedMemoryName.system(name)
        guard size > 0 else { throw .sharedMemory(.invalidSize("a segment needs at least 1 byte, not \(size)")) }
        let fd = jinn_shm_open(systemName, 1, size)
        guard fd >= 0 else {
            let error = errno
            if error == EEXIST { throw .sharedMemory(.alreadyExists(name: String(systemName.dropFirst()))) }
            throw .sharedMemory(.system(operation: "creating shared memory '\(name)'", errno: error))
        }
        do {
            try SegmentKeeper.shared.keep(.segment, systemName)
        } catch {
            _ = jinn_shm_unlink(systemName)
            Foundation.close(fd)
            throw error
        }
        try self.init(descriptor: fd, size: size, name: systemName, isOwner: true, keepDescriptor: false)
    }

    /// Opens the existing named segment `name`, at its full size, without changing it.
    ///
    /// - Throws: ``SharedMemoryError/notFound(name:)``; ``SharedMemoryError/invalidName(_:reason:)``.
    public convenience init(opening name: String) throws(JinnError) {
        let systemName = try SharedMemoryName.system(name)
        let fd = jinn_shm_open(systemName, 0, 0)
        guard fd >= 0 else {
            let error = errno
            if error == ENOENT { throw .sharedMemory(.notFound(name: String(systemName.dropFirst()))) }
            throw .sharedMemory(.system(operation: "opening shared memory '\(name)'", errno: error))
        }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let error = errno
            Foundation.close(fd)
            throw .sharedMemory(.system(operation: "reading the size of '\(name)'", errno: error))
        }
        guard status.st_size > 0 else {
            Foundation.close(fd)
            throw .sharedMemory(.invalidSize("shared memory '\(name)' is empty"))
        }
        try self.init(descriptor: fd, size: Int(status.st_size), name: systemName, isOwner: false,
                      keepDescriptor: false)
    }

    /// Maps `descriptor`, which the new segment owns (and closes here when it is not kept, or on failure).
    init(descriptor: Int32, size: Int, name: String?, isOwner: Bool, keepDescriptor: Bool) throws(JinnError) {
        let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        let error = errno
        if !keepDescriptor || mapped == MAP_FAILED { Foundation.close(descriptor) }
        guard let mapped, mapped != MAP_FAILED else {
            if let name, isOwner {
                _ = jinn_shm_unlink(name)
                SegmentKeeper.shared.forget(.segment, name)
            }
            throw .sharedMemory(.system(operation: "mapping \(size) bytes of shared memory", errno: error))
        }
        self.base = mapped
        self.size = size
        self.name = name.map { String($0.dropFirst()) }
        self.isOwner = isOwner
        self.descriptor = keepDescriptor ? descriptor : -1
        self.token = Self.makeToken()
    }

    deinit {
        close()
        munmap(base, size)
        if descriptor >= 0 { Foundation.close(descriptor) }
    }

    /// Removes the name of a segment, whoever owns it: processes that have it open keep their mappings, and the
    /// memory goes with the last of them.
    ///
    /// - Throws: ``SharedMemoryError/notFound(name:)`` when no segment has the name.
    public static func unlink(_ name: String) throws(JinnError) {
        let systemName = try SharedMemoryName.system(name)
        let error = jinn_shm_unlink(systemName)
        if error == ENOENT { throw .sharedMemory(.notFound(name: String(systemName.dropFirst()))) }
        guard error == 0 else { throw .sharedMemory(.system(operation: "unlinking '\(name)'", errno: error)) }
        SegmentKeeper.shared.forget(.segment, systemName)
    }

    /// Gives up the segment: an owner unlinks its name, and Python processes that were sent an anonymous segment
    /// drop their hold on it (their views stay valid until they are gone). This process's mapping stays until the
    /// last reference to the segment goes. Calling it again does nothing.
    public func close() {
        let holders: [WeakProcess]? = state.withLock { state in
            guard !state.closed else { return nil }
            state.closed = true
            defer { state.holders = [] }
            return state.holders
        }
        guard let holders else { return }
        if let name, isOwner {
            _ = jinn_shm_unlink("/" + name)
            SegmentKeeper.shared.forget(.segment, "/" + name)
        }
        for holder in holders {
            holder.process?.callWithoutReply(.string("jinn._shared.forget"), arguments: [.int(Int(token))])
        }
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// What the segment is called in errors.
    var label: String { name.map { "shared memory '\($0)'" } ?? "an anonymous segment of \(size) bytes" }

    /// Calls `body` with the segment's bytes, which any process that maps it may change at any moment.
    public func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeMutableRawBufferPointer(start: base, count: size))
    }

    /// The start of the mapping, valid for as long as this segment lives.
    var baseAddress: UnsafeMutableRawPointer { base }

    /// Records that `process` was sent this anonymous segment, unless the segment is closed.
    func addHolder(_ process: PythonProcess) throws(JinnError) {
        let added = state.withLock { state in
            guard !state.closed else { return false }
            state.holders.removeAll { $0.process == nil }
            state.holders.append(WeakProcess(process: process))
            return true
        }
        guard added else { throw .sharedMemory(.closed(segment: label)) }
    }

    /// Throws when the segment was closed.
    func checkOpen() throws(JinnError) {
        if isClosed { throw .sharedMemory(.closed(segment: label)) }
    }
}
