import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `jinn daemon stop` on its way from a connection's thread to the serving loop.
final class StopRequest: Sendable {
    private let requested = Mutex(false)

    init() {}

    /// Whether a stop was asked for.
    var isRequested: Bool { requested.withLock { $0 } }

    /// Asks the serving loop to stop, and wakes it: it sleeps in `poll`, which the signal pipe's SIGTERM ends.
    func request() {
        requested.withLock { $0 = true }
        kill(getpid(), SIGTERM)
    }
}
