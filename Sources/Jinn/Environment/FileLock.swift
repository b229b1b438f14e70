import CJinn
import Foundation
import JinnSystem
import Synchronization

/// An exclusive lock on a file (`flock`), shared by every process on the machine that locks the same path.
///
/// The kernel releases the lock when its holder closes the file or dies, so a waiter is never stuck behind a
/// crashed process. Lock files are never deleted: deleting one while another process waits on it would let a
/// third process lock a new file of the same name at the same time.
package final class FileLock: Sendable {
    /// The locked file.
    package let path: String
    /// The locked file, open until ``release()``: the kernel holds the lock for as long as it is.
    private let descriptor: Mutex<OwnedDescriptor?>

    private init(path: String, descriptor: consuming OwnedDescriptor) {
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    /// Locks `path` (created if missing), waiting while another process holds it.
    ///
    /// - Parameters:
    ///   - timeout: how long to wait; `nil` waits as long as the holder lives.
    ///   - onWait: called once if the lock is held by someone else, before waiting.
    package static func acquire(_ path: String, timeout: Duration? = nil, onWait: (@Sendable () -> Void)? = nil)
        async throws(JinnError) -> FileLock
    {
        let fd = retryingInterrupts { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        guard fd >= 0 else {
            throw .environment(.fileSystem(operation: "opening the lock file", path: path,
                                           reason: Errno.current.description))
        }
        // Every way out below that throws closes the file with `file`, and with it any hold on the lock.
        let file = OwnedDescriptor(taking: fd)
        let start = ContinuousClock.now
        var pause = Duration.milliseconds(10)
        var waited = false
        while true {
            let error = jinn_try_lock(file.rawValue)
            if error == 0 { break }
            guard error == EWOULDBLOCK else {
                throw .environment(.fileSystem(operation: "locking", path: path,
                                               reason: Errno(rawValue: error).description))
            }
            if !waited {
                waited = true
                onWait?()
            }
            if let timeout, ContinuousClock.now - start > timeout {
                throw .timedOut(operation: "waiting for the lock \(path)",
                                seconds: Double(timeout.components.seconds))
            }
            // Polling keeps the wait cancellable and off the cooperative threads; the holder's death ends it.
            do {
                try await Task.sleep(for: pause)
            } catch {
                throw .environment(.cancelled(operation: "waiting for the lock \(path)"))
            }
            pause = min(pause * 2, .milliseconds(200))
        }
        return FileLock(path: path, descriptor: file)
    }

    /// Releases the lock. Calling it again does nothing.
    package func release() {
        descriptor.withLock { $0 = nil }
    }
}
