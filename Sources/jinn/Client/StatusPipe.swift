import JinnSystem
import JinnWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pipe on which the run tells its client how it ended, straight from the run (its write end goes with the
/// run's descriptors as ``RunDescriptors/Role/status``): two bytes `(kind, value)`, `(0, status)` for an exit and
/// `(1, signal)` for a death by signal. End of file without them means the run ended without saying (the daemon's
/// connection may still tell).
struct StatusPipe {
    /// The read end, which the client keeps for its life (close-on-exec).
    let readFD: Int32
    /// The write end, which the client closes as soon as the run's descriptors are sent.
    let writeFD: Int32

    /// What one read of the pipe found.
    enum Reading: Equatable {
        case exited(Int32)
        case signaled(Int32)
        /// End of file (or a broken message): the run will not say.
        case ended
    }

    /// A new pipe, or nil when none can be made.
    static func make() -> StatusPipe? {
        guard let ends = try? OwnedDescriptor.makePipe() else { return nil }
        return StatusPipe(readFD: ends.readEnd.release(), writeFD: ends.writeEnd.release())
    }

    /// Reads the status from a read end that `poll` found readable.
    static func reading(_ fd: Int32) -> Reading {
        var bytes: (UInt8, UInt8) = (0, 0)
        // Two bytes written at once arrive at once: a pipe's writes of up to PIPE_BUF bytes are atomic.
        let count = withUnsafeMutableBytes(of: &bytes) { buffer in
            retryingInterrupts { read(fd, buffer.baseAddress, 2) }
        }
        guard count == 2 else { return .ended }
        return bytes.0 == 0 ? .exited(Int32(bytes.1)) : .signaled(Int32(bytes.1))
    }
}
