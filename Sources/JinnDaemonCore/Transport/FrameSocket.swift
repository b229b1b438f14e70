import CJinn
import JinnSystem
import JinnWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocking framed messages on one connected stream socket, with descriptors (SCM_RIGHTS) riding on a frame.
///
/// The `FrameSocket` owns its socket, and the descriptors that arrive on it until they are taken: ``close()`` (or
/// the end of the `FrameSocket`) closes them all. One reader and one writer at a time. Kept free of Foundation: the
/// client's fast path uses it.
///
/// ```swift
/// let socket = try FrameSocket.connect(to: "/run/user/1000/jinn/daemon.sock")
/// try socket.send(request.value, passing: [0, 1, 2])
/// let reply = try socket.receive()
/// ```
package final class FrameSocket {
    /// The socket's descriptor, for `poll`; -1 once closed.
    package var fd: Int32 { socket?.rawValue ?? -1 }
    /// The largest payload accepted.
    package let maximumSize: Int
    private var socket: OwnedDescriptor?
    private var buffer: [UInt8] = []
    private var start = 0
    /// Received and not yet taken.
    private var received = OwnedDescriptors()
    private var scratch: UnsafeMutableRawBufferPointer?

    /// Wraps a connected socket, which the `FrameSocket` owns from now on.
    package convenience init(_ socket: consuming OwnedDescriptor,
                             maximumSize: Int = DaemonProtocol.maximumMessageSize) {
        self.init(owning: socket, maximumSize: maximumSize)
    }

    /// Wraps a connected socket held as a number, which the `FrameSocket` owns from now on; -1 makes a socket that
    /// is closed already.
    package convenience init(fd: Int32, maximumSize: Int = DaemonProtocol.maximumMessageSize) {
        self.init(owning: fd >= 0 ? OwnedDescriptor(taking: fd) : nil, maximumSize: maximumSize)
    }

    private init(owning socket: consuming OwnedDescriptor?, maximumSize: Int) {
        self.socket = socket
        self.maximumSize = maximumSize
    }

    deinit {
        scratch?.deallocate()
    }

    /// Connects to a Unix socket.
    package static func connect(to path: String) throws(SocketError) -> FrameSocket {
        let fd = jinn_unix_connect(path)
        guard fd >= 0 else { throw SocketError(operation: "connect to \(path)", errno: errno) }
        return FrameSocket(OwnedDescriptor(taking: fd))
    }

    /// Connects to a Unix socket, giving up after `timeout` when the listener does not take the connection (its
    /// backlog is full); sends on the socket are bounded the same way.
    package static func connect(to path: String, within timeout: Duration) throws(SocketError) -> FrameSocket {
        let fd = jinn_unix_connect_within(path, Int32(clamping: timeout.wholeMilliseconds))
        guard fd >= 0 else { throw SocketError(operation: "connect to \(path)", errno: errno) }
        return FrameSocket(OwnedDescriptor(taking: fd))
    }

    /// Closes the socket and the descriptors received but not taken; idempotent.
    package func close() {
        received.closeAll()
        socket = nil
    }

    /// Sends one message, with descriptors attached to its first byte. The descriptors are lent, not given: the
    /// receiver gets copies of its own, and the caller keeps (and closes) these.
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
    /// - Parameters:
    ///   - deadline: when to give up waiting (``SocketError/isTimeout``); nil waits as long as it takes.
    ///   - allowingReferences: false refuses marshal back-references, for a peer that is not trusted.
    package func receive(until deadline: ContinuousClock.Instant? = nil, allowingReferences: Bool = true)
        throws(SocketError) -> PythonValue?
    {
        guard let payload = try receivePayload(until: deadline) else { return nil }
        do {
            return allowingReferences ? try Marshal.decode(payload) : try Marshal.decodeWithoutReferences(payload)
        } catch {
            throw SocketError(protocol: "unreadable message: \(error.message)")
        }
    }

    /// Receives one frame's payload, or nil at a clean end of stream; `deadline` as for ``receive(until:allowingReferences:)``.
    package func receivePayload(until deadline: ContinuousClock.Instant? = nil) throws(SocketError)
        -> ArraySlice<UInt8>?
    {
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
            if let deadline { try wait(until: deadline) }
            guard try fill() else {
                if buffer.isEmpty { return nil }
                throw SocketError(protocol: "the connection closed in the middle of a message")
            }
        }
    }

    /// Receives one byte that is not part of a frame (a peer's acknowledgement), or nil at a clean end of stream;
    /// `deadline` as for ``receive(until:allowingReferences:)``.
    package func receiveByte(until deadline: ContinuousClock.Instant? = nil) throws(SocketError) -> UInt8? {
        if start < buffer.count {
            defer { start += 1 }
            return buffer[start]
        }
        if let deadline { try wait(until: deadline) }
        var byte: UInt8 = 0
        let count = retryingInterrupts { read(fd, &byte, 1) }
        if count < 0 {
            if errno == ECONNRESET { return nil }
            throw SocketError(operation: "receive", errno: errno)
        }
        return count == 1 ? byte : nil
    }

    /// Whether a whole frame is already buffered, so that ``receive()`` returns without reading (a `poll` on the
    /// descriptor would not show it).
    package var hasBufferedFrame: Bool {
        guard buffer.count - start >= Frame.headerSize else { return false }
        let size = Frame.payloadSize(header: buffer[start..<start + Frame.headerSize])
        return buffer.count - start - Frame.headerSize >= size
    }

    /// Takes the descriptors received so far (in arrival order), which the caller owns from now on.
    package func takeReceivedDescriptors() -> OwnedDescriptors {
        OwnedDescriptors(taking: received.releaseAll())
    }

    /// Waits until the socket is readable; throws a time-out at the deadline.
    private func wait(until deadline: ContinuousClock.Instant) throws(SocketError) {
        while true {
            // Past the deadline, what has arrived already is still read.
            let left = deadline - .now
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let count = poll(&entry, 1, left > .zero ? Int32(clamping: max(1, left.wholeMilliseconds)) : 0)
            if count > 0 { return }
            if count < 0 && errno != EINTR { throw SocketError(operation: "poll", errno: errno) }
            if left <= .zero { throw SocketError.timeout }
        }
    }

    /// Reads more bytes; false at end of stream.
    private func fill() throws(SocketError) -> Bool {
        // Received into scratch memory that is never cleared: a zero-filled 64 KiB buffer costs a client, whose
        // replies are a few dozen bytes, sixteen page faults per receive.
        let scratch = self.scratch ?? UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunk, alignment: 16)
        self.scratch = scratch
        var arrived = [Int32](repeating: -1, count: RunDescriptors.maximumCount)
        var arrivedCount: Int32 = 0
        let count = arrived.withUnsafeMutableBufferPointer { fds in
            jinn_recv_fds(fd, scratch.baseAddress, scratch.count, fds.baseAddress, Int32(fds.count), &arrivedCount)
        }
        if count < 0 {
            let error = errno
            if error == ECONNRESET { return false }
            throw SocketError(operation: "receive", errno: error)
        }
        // Owned at once, so that they are closed with the socket if nobody takes them.
        for descriptor in arrived.prefix(Int(arrivedCount)) { received.append(OwnedDescriptor(taking: descriptor)) }
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch.prefix(count)))
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
        self.message = "\(operation) failed: \(Errno(rawValue: errno))"
        self.errno = errno
    }

    package init(protocol message: String) {
        self.message = "protocol error: \(message)"
        self.errno = nil
    }

    /// A wait that reached its deadline.
    package static let timeout = SocketError(operation: "wait", errno: ETIMEDOUT)

    /// Whether the error is a time-out (a deadline, or a send that a bounded socket gave up).
    package var isTimeout: Bool { errno == ETIMEDOUT || errno == EAGAIN || errno == EWOULDBLOCK }

    package var description: String { message }
}

extension Duration {
    /// The duration in whole milliseconds, rounded up.
    package var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
