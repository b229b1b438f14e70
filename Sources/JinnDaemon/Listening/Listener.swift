import CJinn
import JinnDaemonCore
import JinnSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The daemon's listening socket, `daemon.sock` in its socket directory.
///
/// It is bound under a temporary name and renamed into place, so that a client sees either the old socket or a
/// listening new one, never one that is not accepting yet. The listener owns its descriptor until ``withdraw()``.
struct Listener: Sendable {
    /// The listening descriptor.
    let fd: Int32
    /// Where clients connect.
    let path: String
    /// The socket file's inode, to tell this daemon's socket from a successor's.
    private let inode: UInt64

    /// Listens on the directory's socket path, replacing whatever socket is there.
    ///
    /// - Throws: ``DaemonError/unusable(_:)`` when the socket cannot be made or renamed.
    static func open(in directory: SocketDirectory) throws(DaemonError) -> Listener {
        let temporary = directory.path + "/daemon.sock.\(getpid())"
        unlink(temporary)
        let fd = jinn_unix_listen(temporary, 128)
        guard fd >= 0 else {
            throw .unusable("cannot listen on \(temporary): \(Errno.current.description)")
        }
        chmod(temporary, 0o600)
        guard rename(temporary, directory.socketPath) == 0 else {
            let error = errno
            unlink(temporary)
            _ = closeDescriptor(fd)
            throw .unusable("cannot rename the socket to \(directory.socketPath): \(Errno(rawValue: error).description)")
        }
        let inode = FileSystem.linkStatus(directory.socketPath).map { UInt64($0.st_ino) } ?? 0
        return Listener(fd: fd, path: directory.socketPath, inode: inode)
    }

    /// Accepts a connection; the caller owns the descriptor. Nil when there was none to accept, with `errno` set.
    func accept() -> Int32? {
        let connection = jinn_accept(fd)
        return connection >= 0 ? connection : nil
    }

    /// Fails every `accept` on the socket from now on, including those waiting (``Acceptors/stop()``); new clients
    /// are refused. The descriptor stays open until ``withdraw()``.
    func stopAccepting() {
        _ = shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Stops listening: removes the socket's name unless a successor's socket has replaced it, and closes the
    /// descriptor. Call it once.
    func withdraw() {
        if let info = FileSystem.linkStatus(path), UInt64(info.st_ino) == inode {
            unlink(path)
        }
        _ = closeDescriptor(fd)
    }
}
