import Synchronization

/// Runs served and how long each took to start (from the request's arrival to the run's process being handed its
/// streams), for `jinn daemon status`.
package final class RunStatistics: Sendable {
    private let state = Mutex((served: 0, latencies: [Double]()))
    private static let kept = 1000

    /// Statistics before any run.
    package init() {}

    func recordStart(latency seconds: Double) {
        state.withLock { state in
            state.latencies.append(seconds)
            if state.latencies.count > Self.kept { state.latencies.removeFirst(state.latencies.count - Self.kept) }
        }
    }

    func recordEnd() {
        state.withLock { $0.served += 1 }
    }

    /// Runs that have ended.
    package var served: Int { state.withLock { $0.served } }

    /// The start latency below which `fraction` of the last 1,000 runs lie, in seconds; nil before any run.
    package func latency(percentile fraction: Double) -> Double? {
        let sorted = state.withLock { $0.latencies }.sorted()
        guard !sorted.isEmpty else { return nil }
        let index = min(sorted.count - 1, max(0, Int((Double(sorted.count - 1) * fraction).rounded())))
        return sorted[index]
    }
}
