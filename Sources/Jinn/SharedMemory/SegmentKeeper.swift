import CJinn
import Foundation
import Synchronization

/// The names this process owns, held by a keeper process that unlinks them when this process ends in any way.
///
/// No code runs in a process killed with SIGKILL, so another process must clean up after it: the keeper (started
/// once, on the first named segment or semaphore, by `jinn_keeper_start`) reads names from a pipe whose only
/// write end is this process's, and unlinks the names it still holds when the pipe reads end of file. An owner
/// that closes its segment unlinks the name itself and tells the keeper to forget it.
final class SegmentKeeper: Sendable {
    enum Kind: String {
        case segment = "s", semaphore = "m"
    }

    static let shared = SegmentKeeper()

    /// The pipe's write end, once started; never closed, since closing it is what makes the keeper unlink.
    private let pipe = Mutex<Int32?>(nil)

    /// Asks the keeper to unlink `name` when this process ends.
    func keep(_ kind: Kind, _ name: String) throws(JinnError) {
        let fd: Int32 = try pipe.withLock { (fd: inout Int32?) throws(JinnError) -> Int32 in
            if let fd { return fd }
            let started = jinn_keeper_start()
            guard started >= 0 else {
                throw .sharedMemory(.system(operation: "starting the shared-memory keeper", errno: errno))
            }
            fd = started
            return started
        }
        try write("+\(kind.rawValue)\(name)\n", to: fd)
    }

    /// Tells the keeper that `name` needs no unlinking any more (its owner unlinked it).
    func forget(_ kind: Kind, _ name: String) {
        guard let fd = pipe.withLock({ $0 }) else { return }
        try? write("-\(kind.rawValue)\(name)\n", to: fd)
    }

    private func write(_ line: String, to fd: Int32) throws(JinnError) {
        // A line is far below PIPE_BUF, so it reaches the keeper whole even when threads write at once.
        let result = Array(line.utf8).withUnsafeBytes { jinn_write_all(fd, $0.baseAddress, $0.count) }
        guard result == 0 else {
            throw .sharedMemory(.system(operation: "telling the shared-memory keeper", errno: errno))
        }
    }
}
