import CJinn
import Foundation
import JinnSystem
import JinnWire
import Synchronization

/// The Swift end of the framed message channel to a Python process (see `jinn/_channel.py`).
///
/// Each message is a marshal-encoded tuple whose first element is a string naming its kind. A thread of the
/// channel's own reads frames and hands each message to the handler registered for its kind; any task may send.
/// The channel owns its descriptors from its creation: the reading thread closes them when the stream ends or
/// breaks, under the send lock, so that no send writes to a number that was closed (and perhaps reused).
final class MessageChannel: Sendable {
    typealias Handler = @Sendable (PythonValue) -> Void

    /// Why the reading side stopped: the other end closed it (nil), or the bytes broke the protocol.
    typealias CloseHandler = @Sendable (JinnError?) -> Void

    /// Owned, and closed by the reading thread (see ``start(onClose:)``); numbers, for the calls of every send.
    private let fd: Int32
    private let writeFD: Int32
    private let transport: ChannelTransport
    private let maximumSize: Int
    /// Carry large frames, when the channel has them.
    private let rings: SharedRings?
    /// Bytes the reading thread read while it waited to write (see ``waitForRoom()``).
    private let unread = Mutex<[UInt8]>([])
    /// Runs, on the reading thread, the jobs of tasks that prefer it.
    let executor = ChannelExecutor()
    /// How long, in nanoseconds after a send, the reading thread polls for the answer before it sleeps (0: never).
    private let busyPolling: UInt64
    /// When this side last sent, in ``monotonicNanoseconds()``.
    private let lastSend = Atomic<UInt64>(0)
    private let state: Mutex<State>
    private let handlers = Mutex<[String: Handler]>([:])
    private let ended = Mutex<(done: Bool, waiters: [Int: CheckedContinuation<Void, Never>], next: Int)>(
        (false, [:], 0))

    private struct State {
        var open = true
        /// The position after the last frame reserved in the ring towards Python.
        var ringHead: UInt64 = 0
    }

    /// A channel that reads `readEnd` and writes `writeEnd` (nil for `.socket`, which writes `readEnd`), with
    /// `rings` for large frames when given, polling for answers for `busyPolling` after each send (pipes only).
    init(reading readEnd: consuming OwnedDescriptor, writing writeEnd: consuming OwnedDescriptor?,
         transport: ChannelTransport, maximumSize: Int, rings: SharedRings? = nil, busyPolling: Duration = .zero) {
        let readFD = readEnd.release()
        let writeFD = writeEnd?.release() ?? readFD
        self.fd = readFD
        self.writeFD = writeFD
        self.transport = transport
        // The high bit of a frame's length marks a notice of a frame in shared memory.
        self.maximumSize = min(maximumSize, Int(Int32.max))
        self.rings = rings
        self.busyPolling = UInt64(max(0, busyPolling.seconds) * 1e9)
        if transport == .pipes {
            _ = fcntl(writeFD, F_SETFL, fcntl(writeFD, F_GETFL) | O_NONBLOCK)
            if self.busyPolling > 0 {  // the reading loop waits in poll(2) instead
                _ = fcntl(readFD, F_SETFL, fcntl(readFD, F_GETFL) | O_NONBLOCK)
            }
        }
        self.state = Mutex(State())
    }

    /// Registers the handler for one kind of message; call before ``start(onClose:)``.
    func on(_ kind: ChannelMessageKind, _ handler: @escaping Handler) {
        handlers.withLock { $0[kind.rawValue] = handler }
    }

    /// Starts the reading thread.
    func start(onClose: @escaping CloseHandler) {
        Thread.start(named: "jinn-channel", stackSize: 1 << 20) { [self] in
            executor.enter()
            let error = readLoop()
            state.withLock { state in
                state.open = false
                if writeFD != fd { closeDescriptor(writeFD) }
                closeDescriptor(fd)
            }
            onClose(error)
            let waiters = ended.withLock { ended in
                ended.done = true
                defer { ended.waiters.removeAll() }
                return Array(ended.waiters.values)
            }
            for waiter in waiters { waiter.resume() }
            executor.leave()
        }
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
    /// empty, which only a `.socket` channel can carry. The caller keeps its copies of the descriptors.
    func send(_ message: PythonValue, passing descriptors: [Int32] = []) throws(JinnError) {
        // Sized first: a message over the limit is refused before a byte of it is built, and the frame is
        // allocated once at its final size.
        let size = Marshal.encodedSize(message)
        guard size <= maximumSize else {
            throw .protocolViolation("a message of \(size) bytes exceeds the limit of \(maximumSize) bytes")
        }
        if let rings, size >= SharedRings.threshold, descriptors.isEmpty {
            return try sendLarge(message, size: size, through: rings)
        }
        var frame: [UInt8] = []
        frame.reserveCapacity(Frame.headerSize + size)
        frame.append(contentsOf: Frame.header(forPayloadSize: size))
        Marshal.encode(message, into: &frame)
        try sendRaw(frame, passing: descriptors)
    }

    /// Encodes a large message straight into the ring when it has room, else sends it on the pipe.
    private func sendLarge(_ message: PythonValue, size: Int, through rings: SharedRings) throws(JinnError) {
        let failure: JinnError? = withSendLock { state in
            guard state.open else { return .processNotRunning(nil) }
            guard let position = rings.reserve(size, head: &state.ringHead) else {
                var frame = Frame.header(forPayloadSize: size)
                frame.reserveCapacity(Frame.headerSize + size)
                Marshal.encode(message, into: &frame)
                return frame.withUnsafeBytes(writeAll)
            }
            Marshal.encode(message, into: UnsafeMutableRawBufferPointer(start: rings.outgoing(at: position), count: size))
            var notice = Frame.header(forPayloadSize: size)
            notice[3] |= UInt8(SharedRings.noticeFlag >> 24)
            withUnsafeBytes(of: position.littleEndian) { notice.append(contentsOf: $0) }
            return notice.withUnsafeBytes(writeAll)
        }
        if let failure { throw failure }
    }

    /// Sends bytes that are already framed, with descriptors attached to the first byte when there are any.
    func sendRaw(_ frame: [UInt8], passing descriptors: [Int32] = []) throws(JinnError) {
        let failure: JinnError? = withSendLock { state in
            guard state.open else { return .processNotRunning(nil) }
            return frame.withUnsafeBytes { bytes -> JinnError? in
                var offset = 0
                if !descriptors.isEmpty {
                    guard transport == .socket else {
                        return .system(operation: "passing descriptors on a channel of pipes", errno: EINVAL)
                    }
                    let sent = descriptors.withUnsafeBufferPointer { fds in
                        jinn_send_fds(writeFD, bytes.baseAddress, bytes.count, fds.baseAddress, Int32(fds.count))
                    }
                    if sent < 0 { return Self.writeFailure(errno) }
                    offset = sent
                }
                return writeAll(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            }
        }
        if let failure { throw failure }
    }

    /// Runs `body` with the state locked, for a send: frames never interleave.
    ///
    /// Another sender may hold the lock while it waits for Python to read, and Python may be waiting for this
    /// process to read: the reading thread therefore keeps reading while it waits for the lock.
    private func withSendLock(_ body: (inout State) -> JinnError?) -> JinnError? {
        guard executor.isReadingThread else { return state.withLock { body(&$0) } }
        while true {
            if let outcome = state.withLockIfAvailable({ body(&$0) }) { return outcome }
            readAhead(waitingAtMost: 1)
        }
    }

    /// Writes all of `bytes`; call with the state locked, so that frames never interleave.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) -> JinnError? {
        var offset = 0
        while offset < bytes.count {
            let rest = bytes.count - offset
            let written = transport == .socket
                ? jinn_send(writeFD, bytes.baseAddress! + offset, rest)
                : jinn_write(writeFD, bytes.baseAddress! + offset, rest)
            if written >= 0 {
                offset += written
                if busyPolling > 0 {
                    lastSend.store(Self.monotonicNanoseconds(), ordering: .relaxed)
                }
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                waitForRoom()
            } else {
                return Self.writeFailure(errno)
            }
        }
        return nil
    }

    /// Waits until the pipe to Python has room again, or Python has gone (the next write then fails).
    ///
    /// The pipe does not block, because a task that prefers the channel's executor writes from the reading thread:
    /// there, this keeps reading meanwhile (into ``unread``), since Python may itself be blocked writing to us.
    private func waitForRoom() {
        let reading = executor.isReadingThread
        var descriptors = [pollfd(fd: writeFD, events: Int16(POLLOUT), revents: 0),
                           pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        guard poll(&descriptors, reading ? 2 : 1, -1) > 0, reading, descriptors[1].revents != 0 else { return }
        readAhead(waitingAtMost: 0)
    }

    /// Reads what the channel holds into ``unread``, waiting at most `milliseconds` for it.
    private func readAhead(waitingAtMost milliseconds: Int32) {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, milliseconds) > 0 else { return }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 { unread.withLock { $0.append(contentsOf: chunk[..<count]) } }
    }

    /// Reads what ``waitForRoom()`` read ahead, else reads the channel.
    private func input(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
        let taken = unread.withLock { unread -> Int in
            let taken = min(count, unread.count)
            if taken > 0 {
                unread.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: taken) }
                unread.removeFirst(taken)
            }
            return taken
        }
        if taken > 0 { return taken }
        guard busyPolling > 0 else { return retryingInterrupts { read(fd, destination, count) } }
        // The descriptor does not block: poll busily while an answer to a recent send may be on its way, then sleep.
        while true {
            let count = retryingInterrupts { read(fd, destination, count) }
            if count >= 0 || errno != EAGAIN { return count }
            let deadline = lastSend.load(ordering: .relaxed) &+ busyPolling
            if Self.monotonicNanoseconds() < deadline {
                sched_yield()  // a thread that has work on this core goes first
                continue
            }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, -1)
        }
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
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
                var size = Frame.payloadSize(header: buffer[start..<start + Frame.headerSize])
                if size & Int(SharedRings.noticeFlag) != 0 {
                    guard buffer.count - start >= SharedRings.noticeSize else { break }
                    size &= ~Int(SharedRings.noticeFlag)
                    var position: UInt64 = 0
                    for (index, byte) in buffer[(start + Frame.headerSize)..<(start + SharedRings.noticeSize)]
                        .enumerated() { position |= UInt64(byte) << (8 * index) }
                    guard let rings, size <= maximumSize, let frame = rings.incoming(at: position, size: size) else {
                        return .protocolViolation(
                            "the Python side sent a notice of a frame in shared memory that the channel does not have"
                                + " (bytes that are not Jinn frames were written to the channel)")
                    }
                    let error = dispatch(frame)
                    rings.release(upTo: position + UInt64(size))
                    if let error { return error }
                    start += SharedRings.noticeSize
                    continue
                }
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
            let count = input(into: chunk.baseAddress!, count: chunkSize)
            if count < 0 {
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
                let count = input(into: bytes.baseAddress! + offset, count: end - offset)
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
    }

    /// Decodes one payload and hands it to the handler of its kind.
    private func dispatch(_ payload: some Collection<UInt8>) -> JinnError? {
        let message: PythonValue
        do {
            message = try Marshal.decode(payload)
        } catch {
            return .protocolViolation("the Python side sent an unreadable message: \(error.message)")
        }
        guard case .tuple(let fields) = message, case .string(let kind)? = fields.first else {
            return .protocolViolation("the Python side sent a message that is not a tuple naming its kind")
        }
        let handler = handlers.withLock { $0[kind] }
        handler?(message)
        executor.runPending()
        return nil
    }
}
