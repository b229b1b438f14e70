import JinnSystem
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The daemon's side of a run's claim (see `DaemonProtocol`): the read end of the client's pipe, whose one byte
/// the daemon takes just before it hands the run to a zygote. A client that gave up took the byte first (or closed
/// its connection): the run then goes nowhere, and the client runs it itself.
final class ClientClaim: Sendable {
    private let claimFD: Int32
    private let clientFD: Int32
    private let taken = Mutex(false)

    /// A claim read from `claimFD` for the client connected on `clientFD`; the caller owns and closes both.
    init(claimFD: Int32, clientFD: Int32) {
        self.claimFD = claimFD
        self.clientFD = clientFD
    }

    /// Takes the claim; true when the daemon has it (now or from an earlier call), false when the client has
    /// given the run up.
    func take() -> Bool {
        taken.withLock { taken in
            if taken { return true }
            // A client sends nothing after its streams: a readable connection is one that ended.
            var entry = pollfd(fd: clientFD, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 0) == 0 else { return false }
            var byte: UInt8 = 0
            guard retryingInterrupts({ read(claimFD, &byte, 1) }) == 1 else { return false }
            taken = true
            return true
        }
    }
}
