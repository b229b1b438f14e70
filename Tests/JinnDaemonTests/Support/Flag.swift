import Foundation
import Synchronization

/// A flag one thread raises and another waits for.
final class Flag: Sendable {
    private let raised = Mutex(false)

    func raise() {
        raised.withLock { $0 = true }
    }

    var isRaised: Bool { raised.withLock { $0 } }

    /// Waits (up to ten seconds) for the flag; returns whether it was raised.
    func wait() -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while !isRaised && ContinuousClock.now < deadline { usleep(1_000) }
        return isRaised
    }
}
