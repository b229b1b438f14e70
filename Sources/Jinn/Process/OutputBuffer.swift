import CJinn
import Foundation
import JinnSystem

/// Bytes read from a child's pipe by a thread of their own, handed to one async consumer.
///
/// The reading thread blocks when more than `limit` bytes wait unread, so a child writing faster than its reader
/// consumes is slowed down as it would be by a pipe, rather than filling memory. ``abandon()`` lets an owner that
/// stops listening release the thread: the rest of the output is read and dropped.
final class OutputBuffer: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var head = 0
    private var bufferedBytes = 0
    private var finished = false
    private var abandoned = false
    private var consumer: CheckedContinuation<[UInt8]?, Never>?
    private let limit: Int

    init(limit: Int = 4 << 20) {
        self.limit = limit
    }

    /// A buffer that is already at its end (for output that is inherited or discarded).
    static func finished() -> OutputBuffer {
        let buffer = OutputBuffer()
        buffer.finish()
        return buffer
    }

    /// Starts a thread that reads `descriptor` until end of file; a finished buffer when there is none (output that
    /// is inherited or discarded). The thread owns the descriptor and closes it at end of file.
    static func reading(_ descriptor: consuming OwnedDescriptor?, name: String) -> OutputBuffer {
        guard let descriptor else { return finished() }
        let buffer = OutputBuffer()
        // An escaping closure cannot take a noncopyable value, so the number crosses to the thread, which owns it
        // again at once.
        let fd = descriptor.release()
        Thread.start(named: name, stackSize: 128 << 10) {
            let descriptor = OwnedDescriptor(taking: fd)
            let size = 64 << 10
            let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
            defer { storage.deallocate() }
            while true {
                let count = retryingInterrupts { read(descriptor.rawValue, storage.baseAddress, size) }
                if count <= 0 { break }
                buffer.append(Array(UnsafeRawBufferPointer(rebasing: storage[..<count])))
            }
            // Closed before the end is announced: a reader that has seen the end finds no descriptor of the
            // process left open.
            try? descriptor.close()
            buffer.finish()
        }
        return buffer
    }

    func append(_ chunk: [UInt8]) {
        condition.lock()
        if abandoned {
            condition.unlock()
            return
        }
        if let consumer {
            self.consumer = nil
            condition.unlock()
            consumer.resume(returning: chunk)
            return
        }
        chunks.append(chunk)
        bufferedBytes += chunk.count
        while bufferedBytes > limit && !abandoned { condition.wait() }
        condition.unlock()
    }

    func finish() {
        condition.lock()
        finished = true
        let consumer = self.consumer
        self.consumer = nil
        condition.unlock()
        consumer?.resume(returning: nil)
    }

    /// Drops what is buffered and everything still to come, and never blocks the reading thread again.
    func abandon() {
        condition.lock()
        abandoned = true
        chunks.removeAll()
        head = 0
        bufferedBytes = 0
        condition.broadcast()
        condition.unlock()
    }

    /// The next chunk, or nil at the end.
    func next() async -> [UInt8]? {
        await withCheckedContinuation { continuation in
            condition.lock()
            if head < chunks.count {
                let chunk = chunks[head]
                head += 1
                bufferedBytes -= chunk.count
                if head == chunks.count {
                    chunks.removeAll(keepingCapacity: true)
                    head = 0
                }
                condition.broadcast()
                condition.unlock()
                continuation.resume(returning: chunk)
            } else if finished || abandoned {
                condition.unlock()
                continuation.resume(returning: nil)
            } else {
                precondition(consumer == nil, "a process's output can be read by one task at a time")
                consumer = continuation
                condition.unlock()
            }
        }
    }
}
