import CJinn
import Foundation
import JinnWire
import Synchronization

/// The Swift end of the framed message channel to a Python process (see `jinn/_channel.py`).
///
/// Each message is a marshal-encoded tuple whose first element is a string naming its kind. A thread of the
/// channel's own reads frames and hands each message to the handler registered for its kind; any task may send.
/// The channel owns its descriptor: the reading thread closes it when the stream ends or breaks.
final class MessageChannel: Sendable {
    typealias Handler = @Sendable (PythonValue) -> Void

    /// Why the reading side stopped: the other end closed it (nil), or the bytes broke the protocol.
    typealias CloseHandler = @Sendable (JinnError?) -> Void

    private let fd: Int32
    private let maximumSize: Int
    private let state: Mutex<State>
    private let ended = Mutex<(done: Bool, waiters: [Int: CheckedContinuation<Void, Never>], next: Int)>(
        (false, [:], 0))

    private struct State {
        var open = true
        var handlers: [String: Handler] = [:]
    }

    init(fd: Int32, maximumSize: Int) {
        self.fd = fd
        self.maximumSize = maximumSize
        self.state = Mutex(State())
    }

    /// Registers the handler for one kind of message; call before ``start(onClose:)``.
    func on(_ kind: String, _ handler: @escaping Handler) {
        state.withLock { $0.handlers[kind] = handler }
    }

    /// Starts the reading thread.
    func start(onClose: @escaping CloseHandler) {
        let thread = Thread { [self] in
            let error = readLoop()
            state.withLock { state in
                state.open = false
                close(fd)
            }
            onClose(error)
            let waiters = ended.withLock { ended in
                ended.done = true
                defer { ended.waiters.removeAll() }
                return Array(ended.waiters.values)
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.name = "jinn-channel"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Waits until the reading side has ended, at most `timeout`.
    func waitUntilClosed(timeout: Duration) async {
        await withCheckedContinuation { continuation in
            let waiter: Int? = ended.withLock { ended in
                if ended.done { return nil }
                let id = ended.next
                ended.next += 1
                ended.waiters[id] = continuation
                return id
            }
            guard let waiter else { return continuation.resume() }
            Task {
                try? await Task.sleep(for: timeout)
                ended.withLock { $0.waiters.removeValue(forKey: waiter) }?.resume()
            }
        }
    }

    /// Sends one message, with descriptors attached to its first byte (SCM_RIGHTS) when `descriptors` is not
    /// empty. The caller keeps its copies of the descriptors.
    func send(_ message: PythonValue, passing descriptors: [Int32] = []) throws(JinnError) {
        // Sized first: a message over the limit is refused before a byte of it is built, and the frame is
        // allocated once at its final size.
        let size = Marshal.encodedSize(message)
        guard size <= maximumSize else {
            throw .protocolViolation("a message of \(size) bytes exceeds the limit of \(maximumSize) bytes")
        }
        var frame: [UInt8] = []
        frame.reserveCapacity(Frame.headerSize + size)
        frame.append(contentsOf: Frame.header(forPayloadSize: size))
        Marshal.encode(message, into: &frame)
        try sendRaw(frame, passing: descriptors)
    }

    /// Sends bytes that are already framed, with descriptors attached to the first byte when there are any.
    func sendRaw(_ frame: [UInt8], passing descriptors: [Int32] = []) throws(JinnError) {
        let failure: JinnError? = state.withLock { state in
            guard state.open else { return .processNotRunning(nil) }
            return frame.withUnsafeBytes { bytes -> JinnError? in
                var offset = 0
                if !descriptors.isEmpty {
                    let sent = descriptors.withUnsafeBufferPointer { fds in
                        jinn_send_fds(fd, bytes.baseAddress, bytes.count, fds.baseAddress, Int32(fds.count))
                    }
                    if sent < 0 { return Self.writeFailure(errno) }
                    offset = sent
                }
                while offset < bytes.count {
                    let written = jinn_send(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 { return Self.writeFailure(errno) }
                    offset += written
                }
                return nil
            }
        }
        if let failure { throw failure }
    }

    private static func writeFailure(_ code: Int32) -> JinnError {
        if code == EPIPE || code == ECONNRESET { return .processNotRunning(nil) }
        return .system(operation: "writing to the message channel", errno: code)
    }

    private func readLoop() -> JinnError? {
        var buffer: [UInt8] = []
        var start = 0
        // Large frames are read into a buffer kept from one to the next: a fresh one each time would cost a page
        // fault per 4 KiB, more than copying the bytes.
        var large: [UInt8] = []
        let largeKept = 64 << 20
        let chunkSize = 256 << 10
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            // Deliver every complete frame already buffered.
            while buffer.count - start >= Frame.headerSize {
                let size = Frame.payloadSize(header: buffer[start..<start + Frame.headerSize])
                guard size <= maximumSize else {
                    return .protocolViolation(
                        "the Python side sent a frame of \(size) bytes, over the limit of \(maximumSize) bytes"
                            + " (bytes that are not Jinn frames were written to the channel, or a message was too big)")
                }
                let end = start + Frame.headerSize + size
                guard buffer.count >= end else {
                    if size > chunkSize {
                        // A large frame: read the rest straight into the large-frame buffer.
                        if large.count < size { large = [UInt8](repeating: 0, count: size) }
                        let have = buffer.count - start - Frame.headerSize
                        large.replaceSubrange(0..<have, with: buffer[(start + Frame.headerSize)...])
                        buffer.removeAll(keepingCapacity: true)
                        start = 0
                        guard readFrame(into: &large, from: have, to: size) else {
                            return .protocolViolation("the channel closed in the middle of a frame")
                        }
                        if let error = dispatch(large[..<size]) { return error }
                        if large.count > largeKept { large = [] }
                        continue
                    }
                    buffer.reserveCapacity(end - start)
                    break
                }
                if let error = dispatch(buffer[(start + Frame.headerSize)..<end]) { return error }
                start = end
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            let count = read(fd, chunk.baseAddress, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET { return nil }
                return .system(operation: "reading the message channel", errno: errno)
            }
            if count == 0 {
                return buffer.isEmpty ? nil : .protocolViolation("the channel closed in the middle of a frame")
            }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<count]))
        }
    }

    /// Reads bytes `start..<end` of a frame into `storage`; false at the end of the stream.
    private func readFrame(into storage: inout [UInt8], from start: Int, to end: Int) -> Bool {
        storage.withUnsafeMutableBytes { bytes in
            var offset = start
            while offset < end {
                let count = read(fd, bytes.baseAddress! + offset, end - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
    }

    /// Decodes one payload and hands it to the handler of its kind.
    private func dispatch(_ payload: ArraySlice<UInt8>) -> JinnError? {
        let message: PythonValue
        do {
            message = try Marshal.decode(payload)
        } catch {
            return .protocolViolation("the Python side sent an unreadable message: \(error.message)")
        }
        guard case .tuple(let fields) = message, case .string(let kind)? = fields.first else {
            return .protocolViolation("the Python side sent a message that is not a tuple naming its kind")
        }
        let handler = state.withLock { $0.handlers[kind] }
        handler?(message)
        return nil
    }
}
