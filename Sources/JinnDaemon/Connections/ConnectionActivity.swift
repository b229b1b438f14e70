import Synchronization

/// The connections open now and when one last opened or closed: what tells an idle daemon from a busy one.
final class ConnectionActivity: Sendable {
    private let state = Mutex((open: 0, last: ContinuousClock.now))

    init() {}

    /// A connection opened, unless `limit` are open already; false then.
    func open(below limit: Int) -> Bool {
        state.withLock { state in
            guard state.open < limit else { return false }
            state = (state.open + 1, .now)
            return true
        }
    }

    /// A connection closed.
    func closed() {
        state.withLock { $0 = ($0.open - 1, .now) }
    }

    /// The connections open now, and how long ago one last opened or closed.
    var snapshot: (open: Int, idle: Duration) {
        let (open, last) = state.withLock { ($0.open, $0.last) }
        return (open, .now - last)
    }
}
