import CJinn
import Foundation
import JinnSystem
import JinnWire
import Synchronization

/// The socket on which a process and its Python child hand each other the descriptors of anonymous segments.
///
/// The channel is a pair of pipes, which cannot carry descriptors, so each child gets one end of a socket pair
/// as well (its number is `descriptor_socket` in the program). A descriptor travels with an 8-byte token and is
/// always sent before the channel message that names the token, so the receiver finds it already waiting and
/// never blocks on the other side; descriptors that arrive ahead of their message wait in a table. The other end
/// is `jinn/_segments.py`.
final class DescriptorExchange: Sendable {
    /// This process's end, -1 until attached; closed with the exchange.
    private let socket = Mutex<Int32>(-1)
    private let state = Mutex(State())

    private struct State {
        /// Tokens of the segments sent to the child.
        var sent: Set<UInt64> = []
        /// Descriptors the child sent that no reply has claimed yet.
        var received: [UInt64: Int32] = [:]
        /// Tokens of results whose calls gave up: their descriptors are closed as they arrive.
        var abandoned: Set<UInt64> = []
    }

    /// Takes this process's end of the socket, once the child has the other.
    func attach(_ descriptor: consuming OwnedDescriptor) {
        // Never blocking: whatever is read was sent before the message that asked for it.
        _ = fcntl(descriptor.rawValue, F_SETFL, fcntl(descriptor.rawValue, F_GETFL) | O_NONBLOCK)
        let fd = descriptor.release()
        socket.withLock { $0 = fd }
    }

    deinit {
        for fd in state.withLock({ $0.received.values }) { closeDescriptor(fd) }
        let fd = socket.withLock { $0 }
        if fd >= 0 { closeDescriptor(fd) }
    }

    /// The value that names `segment` in a call to the child: `("jinn.shared", token, name)`. The first time,
    /// an anonymous segment's descriptor is sent (before the call that names it), and the segment notes the
    /// process, which forgets the segment when it closes.
    func argument(for segment: SharedMemory, of process: PythonProcess) throws(JinnError) -> PythonValue {
        try segment.checkOpen()
        let token = segment.token
        var descriptor = segment.descriptor
        let first: Result<Bool, JinnError> = socket.withLock { socket in
            state.withLock { state in
                guard !state.sent.contains(token) else { return .success(false) }
                if descriptor >= 0 {
                    guard socket >= 0 else {
                        return .failure(.sharedMemory(.system(
                            operation: "passing an anonymous segment to Python (this process has no descriptor "
                                + "socket; use a named segment)", errno: ENOTSUP)))
                    }
                    var bytes = token.littleEndian
                    guard jinn_send_fds(socket, &bytes, 8, &descriptor, 1) == 8 else {
                        return .failure(.sharedMemory(.system(operation: "passing an anonymous segment to Python",
                                                              errno: errno)))
                    }
                }
                state.sent.insert(token)
                return .success(true)
            }
        }
        if try first.get() { try segment.addHolder(process) }
        return .tuple([.string("jinn.shared"), .int(Int(token)), segment.name.map(PythonValue.string) ?? .none])
    }

    /// Closes the descriptor of a result whose call timed out or was cancelled, now or when it arrives.
    func abandon(_ token: UInt64) {
        state.withLock { state in
            if let fd = state.received.removeValue(forKey: token) {
                closeDescriptor(fd)
            } else {
                state.abandoned.insert(token)
            }
        }
    }

    /// The descriptor the child sent with `token`, which the caller then owns.
    func receive(_ token: UInt64) throws(JinnError) -> OwnedDescriptor {
        let result: Result<Int32, JinnError> = socket.withLock { socket in
            guard socket >= 0 else {
                return .failure(.sharedMemory(.system(operation: "receiving a segment from Python", errno: ENOTSUP)))
            }
            return state.withLock { state in
                while state.received[token] == nil {
                    var bytes: UInt64 = 0
                    var descriptor: Int32 = -1
                    var count: Int32 = 0
                    let n = jinn_recv_fds(socket, &bytes, 8, &descriptor, 1, &count)
                    guard n == 8, count == 1 else {
                        if count == 1 { closeDescriptor(descriptor) }
                        // The child sends the descriptor before its reply: a missing one means it could not.
                        let error = n < 0 ? errno : EPROTO
                        return .failure(.sharedMemory(.system(operation: "receiving a segment from Python",
                                                              errno: error)))
                    }
                    let arrived = UInt64(littleEndian: bytes)
                    if state.abandoned.remove(arrived) != nil {
                        closeDescriptor(descriptor)
                    } else {
                        state.received[arrived] = descriptor
                    }
                }
                return .success(state.received.removeValue(forKey: token)!)
            }
        }
        return OwnedDescriptor(taking: try result.get())
    }
}
