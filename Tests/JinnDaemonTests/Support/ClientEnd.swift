import CJinn
import Foundation
import JinnDaemonCore
import JinnWire

/// The two ends of a client connection: the daemon's end, which a session writes its run's progress to, and the
/// client's, which the test reads. Both close when it goes away.
final class ClientEnd: @unchecked Sendable {
    /// The daemon's end (what a ``Session`` is given).
    let daemonFD: Int32
    private let client: FrameSocket

    init() {
        var fds: [Int32] = [-1, -1]
        precondition(jinn_socketpair(&fds) == 0)
        daemonFD = fds[0]
        client = FrameSocket(fd: fds[1])
        // A test that expects a message that never comes fails instead of hanging.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fds[1], SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(daemonFD)
    }

    /// The next message the daemon wrote, or nil when none comes.
    func next() -> DaemonMessage? {
        guard let value = try? client.receive() else { return nil }
        return try? DaemonMessage(value)
    }

    /// Whether the daemon has written nothing that has not been read.
    var isQuiet: Bool {
        var pending: Int32 = 0
        _ = ioctl(client.fd, UInt(FIONREAD), &pending)
        return pending == 0 && !client.hasBufferedFrame
    }
}
