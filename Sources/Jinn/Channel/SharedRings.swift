import CJinn
import Foundation
import JinnSystem
import JinnWire

/// Two rings in one shared-memory file that carry a channel's large frames, one ring each way, so that their
/// bytes are copied once into memory both processes see instead of streaming through a pipe.
///
/// The file starts with a page of counters: at 0 the position up to which Python has consumed the ring towards
/// it, at 64 the position up to which Swift has consumed the ring towards it. The ring towards Python follows the
/// page, the ring towards Swift follows that one. Positions count bytes from the start and never wrap; a frame is
/// stored whole at `position % capacity`, skipping the end of the ring when it would not fit there. A frame in a
/// ring travels on the pipe as a notice: its header with the high bit set, then its position (see
/// `jinn/_channel.py`, which implements the other end).
final class SharedRings: Sendable {
    /// Frames at least this large travel through a ring when there is room in it; smaller ones cost less on the pipe.
    static let threshold = 64 << 10
    /// The header flag that marks a notice.
    static let noticeFlag: UInt32 = 1 << 31
    static let noticeSize = Frame.headerSize + 8
    private static let counters = 4096

    /// The size of each ring.
    let capacity: Int
    private nonisolated(unsafe) let base: UnsafeMutableRawPointer
    private let length: Int

    /// New rings, with the descriptor of their file for the child to map.
    struct Created: ~Copyable {
        var rings: SharedRings
        /// Needed only until the child has it: the mapping keeps the memory.
        var descriptor: OwnedDescriptor
    }

    /// Creates and maps the file; nil when the system refuses (the channel then does without).
    static func create(capacity: Int) -> Created? {
        let length = counters + 2 * capacity
        let fd = jinn_shared_memory(length)
        guard fd >= 0 else { return nil }
        let descriptor = OwnedDescriptor(taking: fd)
        let base = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor.rawValue, 0)
        guard let base, base != MAP_FAILED else { return nil }
        return Created(rings: SharedRings(base: base, length: length, capacity: capacity), descriptor: descriptor)
    }

    private init(base: UnsafeMutableRawPointer, length: Int, capacity: Int) {
        self.capacity = capacity
        self.base = base
        self.length = length
    }

    deinit {
        munmap(base, length)
    }

    /// Reserves `size` bytes of the ring towards Python after `head`, and moves `head` past them; nil when the
    /// frame does not fit now (the caller sends it on the pipe). Call with the channel's send lock held.
    func reserve(_ size: Int, head: inout UInt64) -> UInt64? {
        guard size <= capacity / 2 else { return nil }
        let capacity = UInt64(self.capacity)
        var start = head
        let offset = start % capacity
        if offset + UInt64(size) > capacity { start += capacity - offset }
        let consumed = jinn_load_shared_counter(base)
        guard start + UInt64(size) - consumed <= capacity else { return nil }
        head = start + UInt64(size)
        return start
    }

    /// Where the frame reserved at `position` is written.
    func outgoing(at position: UInt64) -> UnsafeMutableRawPointer {
        base + Self.counters + Int(position % UInt64(capacity))
    }

    /// The frame of `size` bytes that Python stored at `position`, or nil when the notice is out of bounds.
    func incoming(at position: UInt64, size: Int) -> UnsafeRawBufferPointer? {
        let offset = Int(position % UInt64(capacity))
        guard size <= capacity - offset else { return nil }
        return UnsafeRawBufferPointer(start: base + Self.counters + capacity + offset, count: size)
    }

    /// Hands the ring towards Swift back to Python up to `position`, once the frame before it is decoded.
    func release(upTo position: UInt64) {
        jinn_store_shared_counter(base + 64, position)
    }
}
