import CJinn
import Foundation

/// A named counting semaphore that Swift and Python processes share (Python: `jinn.SharedSemaphore(name)`).
///
/// The creator owns the name: it is unlinked when the owner closes the semaphore, and when the owner ends however
/// it ends (the keeper that unlinks named segments unlinks it too). Processes that have it open keep using it.
///
/// ```swift
/// let ready = try SharedSemaphore(creating: "jinn-readme-ready")
/// // Python: jinn.SharedSemaphore("jinn-readme-ready").release()
/// let signalled = try await ready.wait(timeout: .milliseconds(250))   // false when the time ran out
/// ```
public final class SharedSemaphore: Sendable {
    /// The name, without its leading slash.
    public let name: String
    /// Whether this process created the semaphore, so that closing it (or ending) unlinks its name.
    public let isOwner: Bool
    private nonisolated(unsafe) let semaphore: UnsafeMutableRawPointer

    /// Creates the semaphore `name` with `value` (0 by default), owned by this process.
    ///
    /// - Throws: ``SharedMemoryError/alreadyExists(name:)``, ``SharedMemoryError/invalidName(_:reason:)``,
    ///   ``SharedMemoryError/invalidSize(_:)`` for a negative value.
    public init(creating name: String, value: Int = 0) throws(JinnError) {
        let systemName = try SharedMemoryName.system(name)
        guard value >= 0, value <= Int(Int32.max) else {
            throw .sharedMemory(.invalidSize("a semaphore's value must be 0 to \(Int32.max), not \(value)"))
        }
        guard let semaphore = jinn_semaphore_open(systemName, 1, UInt32(value)) else {
            let error = errno
            if error == EEXIST { throw .sharedMemory(.alreadyExists(name: String(systemName.dropFirst()))) }
            throw .sharedMemory(.system(operation: "creating semaphore '\(name)'", errno: error))
        }
        do {
            try SegmentKeeper.shared.keep(.semaphore, systemName)
        } catch {
            _ = jinn_semaphore_unlink(systemName)
            jinn_semaphore_close(semaphore)
            throw error
        }
        self.semaphore = semaphore
        self.name = String(systemName.dropFirst())
        self.isOwner = true
    }

    /// Opens the existing semaphore `name`.
    ///
    /// - Throws: ``SharedMemoryError/notFound(name:)``, ``SharedMemoryError/invalidName(_:reason:)``.
    public init(opening name: String) throws(JinnError) {
        let systemName = try SharedMemoryName.system(name)
        guard let semaphore = jinn_semaphore_open(systemName, 0, 0) else {
            let error = errno
            if error == ENOENT { throw .sharedMemory(.notFound(name: String(systemName.dropFirst()))) }
            throw .sharedMemory(.system(operation: "opening semaphore '\(name)'", errno: error))
        }
        self.semaphore = semaphore
        self.name = String(systemName.dropFirst())
        self.isOwner = false
    }

    deinit {
        if isOwner {
            _ = jinn_semaphore_unlink("/" + name)
            SegmentKeeper.shared.forget(.semaphore, "/" + name)
        }
        jinn_semaphore_close(semaphore)
    }

    /// Removes a semaphore's name, whoever owns it.
    public static func unlink(_ name: String) throws(JinnError) {
        let systemName = try SharedMemoryName.system(name)
        let error = jinn_semaphore_unlink(systemName)
        if error == ENOENT { throw .sharedMemory(.notFound(name: String(systemName.dropFirst()))) }
        guard error == 0 else { throw .sharedMemory(.system(operation: "unlinking semaphore '\(name)'", errno: error)) }
        SegmentKeeper.shared.forget(.semaphore, systemName)
    }

    /// Adds one, waking one waiter.
    public func signal() throws(JinnError) {
        let error = jinn_semaphore_post(semaphore)
        guard error == 0 else { throw .sharedMemory(.system(operation: "signalling semaphore '\(name)'", errno: error)) }
    }

    /// Takes one if it can at once; returns whether it did.
    public func tryWait() -> Bool {
        jinn_semaphore_wait(semaphore, 0) == 0
    }

    /// Takes one, waiting at most `timeout` (any length, below a second too) on a thread of its own, so that no
    /// thread of Swift's pool blocks. Returns false when the time ran out.
    public func wait(timeout: Duration) async throws(JinnError) -> Bool {
        if tryWait() { return true }
        let nanoseconds = max(0, timeout.nanoseconds)
        if nanoseconds == 0 { return false }
        let semaphore = UncheckedPointer(self.semaphore)
        let error = await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let thread = Thread {
                continuation.resume(returning: jinn_semaphore_wait(semaphore.pointer, nanoseconds))
            }
            thread.name = "jinn-semaphore"
            thread.start()
        }
        withExtendedLifetime(self) {}
        if error == ETIMEDOUT { return false }
        guard error == 0 else { throw .sharedMemory(.system(operation: "waiting on semaphore '\(name)'", errno: error)) }
        return true
    }

    /// Takes one, waiting at most `timeout` on the calling thread; for the short waits of ``SharedEvent``.
    func waitBlocking(timeout: Duration) -> Bool {
        jinn_semaphore_wait(semaphore, max(1, timeout.nanoseconds)) == 0
    }

    private struct UncheckedPointer: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
        init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled.addingReportingOverflow(attoseconds / 1_000_000_000).overflow ? .max
            : scaled + attoseconds / 1_000_000_000
    }
}

/// A lock that Swift and Python processes share (Python: `jinn.SharedLock(name)`): a named semaphore of value 1.
///
/// ```swift
/// let lock = try SharedLock(creating: "jinn-readme-lock")
/// let done = try await lock.withLock(timeout: .seconds(1)) { "counted" }   // nil when the time ran out
/// ```
///
/// A lock is not tied to a process: one held by a process that dies stays held (POSIX semaphores have no owner).
public final class SharedLock: Sendable {
    /// The semaphore the lock is made of.
    public let semaphore: SharedSemaphore

    /// Creates the lock `name`, unlocked, owned by this process.
    public init(creating name: String) throws(JinnError) {
        semaphore = try SharedSemaphore(creating: name, value: 1)
    }

    /// Opens the existing lock `name`.
    public init(opening name: String) throws(JinnError) {
        semaphore = try SharedSemaphore(opening: name)
    }

    /// Takes the lock, waiting at most `timeout`; returns false when the time ran out.
    public func lock(timeout: Duration) async throws(JinnError) -> Bool {
        try await semaphore.wait(timeout: timeout)
    }

    /// Gives the lock back.
    public func unlock() throws(JinnError) {
        try semaphore.signal()
    }

    /// Runs `body` holding the lock; nil when the lock could not be taken within `timeout`.
    public func withLock<Result: Sendable>(timeout: Duration, _ body: () async throws -> Result) async throws
        -> Result?
    {
        guard try await lock(timeout: timeout) else { return nil }
        defer { try? unlock() }
        return try await body()
    }
}
