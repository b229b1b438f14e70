import CJinn
import JinnDaemonCore
import JinnSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exclusive lock on `daemon.lock` that a daemon holds for as long as it serves its socket directory: a second
/// daemon for the same directory fails to take it and gives up.
struct DirectoryLock: Sendable {
    /// The locked descriptor; the lock goes when it is closed.
    private let fd: Int32

    /// Takes the lock without waiting.
    ///
    /// - Throws: ``DaemonError/alreadyRunning`` when another daemon holds it, ``DaemonError/unusable(_:)`` when the
    ///   file cannot be opened or locked.
    static func acquire(_ directory: SocketDirectory) throws(DaemonError) -> DirectoryLock {
        let fd = open(directory.lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .unusable("cannot open \(directory.lockPath): \(Errno.current.description)")
        }
        let result = jinn_try_lock(fd)
        guard result == 0 else {
            _ = closeDescriptor(fd)
            if result == EWOULDBLOCK || result == EAGAIN { throw .alreadyRunning }
            throw .unusable("cannot lock \(directory.lockPath): \(Errno(rawValue: result).description)")
        }
        return DirectoryLock(fd: fd)
    }

    /// Gives the lock up, so that a new daemon can take the directory. Call it once.
    func release() {
        _ = closeDescriptor(fd)
    }
}
