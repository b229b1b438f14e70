import JinnSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A run's claim: the read end of a pipe that holds one byte, sent to the daemon with the run's streams. The
/// daemon reads the byte just before it hands the run to a zygote; a client that gives up reads it first. Each
/// read of a pipe is atomic, so exactly one side gets the byte, and a client that got it back knows that the run
/// never began and may run the interpreter itself.
struct RunClaim {
    /// The read end (close-on-exec, non-blocking), which this process keeps for its life.
    let fd: Int32

    /// A new claim, its byte written and the write end closed; nil when no pipe can be made.
    static func make() -> RunClaim? {
        guard let ends = try? OwnedDescriptor.makePipe() else { return nil }
        var byte: UInt8 = 1
        guard write(ends.writeEnd.rawValue, &byte, 1) == 1 else { return nil }
        let fd = ends.readEnd.release()
        // Non-blocking for both holders: it is one open file, shared with the daemon's copy.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return RunClaim(fd: fd)
    }

    /// Takes the byte back; true when this client got it (the daemon never will: the run never began).
    func takeBack() -> Bool {
        var byte: UInt8 = 0
        return retryingInterrupts { read(fd, &byte, 1) } == 1
    }
}
