import CJinn
import JinnWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocking framed messages on one connected stream socket, with descriptors (SCM_RIGHTS) riding on a frame.
///
/// The socket is owned by whoever created the `FrameSocket` and closed by ``close()``; one reader and one writer
/// at a time. Kept free of Foundation: the client's fast path uses it.
///
/// ```swift
/// let socket = try FrameSocket.connect(to: "/run/user/1000/jinn/daemon.sock")
/// try socket.send(request.value, passing: [0, 1, 2])
/// let reply = try socket.receive()
/// ```
package final class FrameSocket {
    /// The descriptor.
    package let fd: Int32
    /// The largest payload accepted.
    package let maximumSize: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var descriptors: [Int32] = []
    private var scratch: UnsafeMutableRawBufferPointer?
    private var closed = false

    /// Wraps a connected socket; the `FrameSocket` owns it from now on.
    package init(fd: Int32, maximumSize: Int = DaemonProtocol.maximumMessageSize) {
        self.fd = fd
        self.maximumSize = maximumSize
    }

    deinit {
        close()
        scratch?.deallocate()
    }

    /// Connects to a Unix socket.
    package static func connect(to path: String) throws(SocketError) -> FrameSocket {
        let fd = jinn_unix_connect(path)
        guard fd >= 0 else { throw SocketError(operation: "connect to \(path)", errno: errno) }
        return FrameSocket(fd: fd)
    }

    /// Closes the socket (and any descriptors received but not taken); idempotent.
    package func close() {
        guard !closed else { return }
        closed = true
        for descriptor in descriptors { _ = SystemCalls.close(descriptor) }
        descriptors.removeAll()
        _ = SystemCalls.close(fd)
    }

    /// Sends one message, with descriptors attached to its first byte. The caller keeps its copies.
    package func send(_ message: PythonValue, passing fds: [Int32] = []) throws(SocketError) {
        var frame = Frame.header(forPayloadSize: 0)
        Marshal.encode(message, into: &frame)
        let size = frame.count - Frame.headerSize
        frame.replaceSubrange(0..<Frame.headerSize, with: Frame.header(forPayloadSize: size))
        try sendRaw(frame, passing: fds)
    }

    /// Sends bytes as they are (already framed, or deliberately not), with descriptors on the first byte.
    package func sendRaw(_ bytes: [UInt8], passing fds: [Int32] = []) throws(SocketError) {
        var offset = 0
        if !fds.isEmpty {
            let sent = bytes.withUnsafeBytes { raw in
                fds.withUnsafeBufferPointer { jinn_send_fds(fd, raw.baseAddress, raw.count, $0.baseAddress, Int32($0.count)) }
            }
            guard sent >= 0 else { throw SocketError(operation: "send", errno: errno) }
            offset = sent
        }
        let result = bytes.withUnsafeBytes { jinn_write_all(fd, $0.baseAddress! + offset, $0.count - offset) }
        guard result == 0 else { throw SocketError(operation: "send", errno: errno) }
    }

    /// Receives one message, or nil at a clean end of stream.
    ///
    /// - Throws: ``SocketError`` when the stream ends inside a frame, a frame is over the limit, the payload is not
    ///   marshal, or the read fails.
    package func receive() throws(SocketError) -> PythonValue? {
        guard let payload = try receivePayload() else { return nil }
        do {
            return try Marshal.decode(payload)
        } catch {
            throw SocketError(protocol: "unreadable message: \(error.message)")
        }
    }

    /// Receives one frame's payload, or nil at a clean end of stream.
    package func receivePayload() throws(SocketError) -> ArraySlice<UInt8>? {
        while true {
            if buffer.count - start >= Frame.headerSize {
                let size = Frame.payloadSize(header: buffer[start..<start + Frame.headerSize])
                guard size <= maximumSize else {
                    throw SocketError(protocol: "a frame of \(size) bytes is over the limit of \(maximumSize) bytes")
                }
                let end = start + Frame.headerSize + size
                if buffer.count >= end {
                    let payload = buffer[(start + Frame.headerSize)..<end]
                    start = end
                    if start == buffer.count {
                        buffer.removeAll(keepingCapacity: true)
                        start = 0
                    }
                    return payload
                }
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            guard try fill() else {
                if buffer.isEmpty { return nil }
                throw SocketError(protocol: "the connection closed in the middle of a message")
            }
        }
    }

    /// Whether a whole frame is already buffered, so that ``receive()`` returns without reading (a `poll` on the
    /// descriptor would not show it).
    package var hasBufferedFrame: Bool {
        guard buffer.count - start >= Frame.headerSize else { return false }
        let size = Frame.payloadSize(header: buffer[start..<start + Frame.headerSize])
        return buffer.count - start - Frame.headerSize >= size
    }

    /// Takes the descriptors received so far (in arrival order); the caller owns them.
    package func takeDescriptors() -> [Int32] {
        defer { descriptors.removeAll() }
        return descriptors
    }

    /// Reads more bytes; false at end of stream.
    private func fill() throws(SocketError) -> Bool {
        // Received into scratch memory that is never cleared: a zero-filled 64 KiB buffer costs a client, whose
        // replies are a few dozen bytes, sixteen page faults per receive.
        let scratch = self.scratch ?? UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunk, alignment: 16)
        self.scratch = scratch
        var received: [Int32] = [-1, -1, -1, -1, -1, -1, -1, -1]
        var receivedCount: Int32 = 0
        let count = received.withUnsafeMutableBufferPointer { fds in
            jinn_recv_fds(fd, scratch.baseAddress, scratch.count, fds.baseAddress, Int32(fds.count), &receivedCount)
        }
        if count < 0 {
            let error = errno
            if error == ECONNRESET { return false }
            throw SocketError(operation: "receive", errno: error)
        }
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch.prefix(count)))
        descriptors += received.prefix(Int(receivedCount))
        return count > 0
    }

    private static let chunk = 64 << 10
}

/// A socket operation failed, or the bytes on a connection broke the protocol.
package struct SocketError: Error, CustomStringConvertible {
    /// What failed, for a person.
    package var message: String
    /// The errno, when a system call failed.
    package var errno: Int32?

    package init(operation: String, errno: Int32) {
        self.message = "\(operation) failed: \(SystemCalls.describe(errno))"
        self.errno = errno
    }

    package init(protocol message: String) {
        self.message = "protocol error: \(message)"
        self.errno = nil
    }

    package var description: String { message }
}
