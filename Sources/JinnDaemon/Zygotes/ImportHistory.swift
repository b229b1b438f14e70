/// What the last runs of one environment imported, from which the daemon learns the modules worth preloading
/// in that environment's next zygote.
///
/// A module imported by at least ``threshold`` of the last ``window`` runs (3 of 5) is frequent. Each run
/// reports only what its zygote had not preloaded, so a module once learned stops appearing; the history keeps
/// the learned ones apart, with the count that taught them, and forgets none (at most ``capacity``).
///
/// ```swift
/// var history = ImportHistory()
/// for _ in 0..<3 { history.record(["decimal"]) }
/// history.learnFrequent()   // ["decimal"]: imported by 3 of the last 3 runs
/// ```
package struct ImportHistory: Sendable, Equatable {
    /// A learned module and the runs that taught it.
    package struct Learned: Sendable, Equatable {
        /// The module's name.
        package var module: String
        /// How many of the runs looked at imported it.
        package var runs: Int
        /// How many runs were looked at.
        package var of: Int

        /// Why it is preloaded, for `jinn daemon status`.
        package var reason: String { "learned: imported by \(runs) of the last \(of) runs" }
    }

    /// Runs looked at.
    package static let window = 5
    /// Runs of the window that must have imported a module.
    package static let threshold = 3
    /// The most modules learned for one environment.
    package static let capacity = 32

    /// The last runs' imports, oldest first.
    private(set) var recent: [Set<String>] = []
    /// The modules learned, in the order they were.
    package private(set) var learned: [Learned] = []

    /// An empty history.
    package init() {}

    /// Records one run's imports.
    package mutating func record(_ modules: some Sequence<String>) {
        recent.append(Set(modules))
        if recent.count > Self.window { recent.removeFirst(recent.count - Self.window) }
    }

    /// Learns the modules frequent in the window that were not learned yet, leaving out `excluded` (those never
    /// preloaded again, and those preloaded already by configuration); returns the new ones.
    @discardableResult
    package mutating func learnFrequent(excluding excluded: Set<String> = []) -> [String] {
        var counts: [String: Int] = [:]
        for run in recent {
            for module in run { counts[module, default: 0] += 1 }
        }
        let known = Set(learned.map(\.module)).union(excluded)
        let new = counts.filter { $0.value >= Self.threshold && !known.contains($0.key) }.keys.sorted()
        let room = max(0, Self.capacity - learned.count)
        let taken = Array(new.prefix(room))
        learned += taken.map { Learned(module: $0, runs: counts[$0] ?? 0, of: recent.count) }
        return taken
    }

    /// Forgets a learned module (it was refused).
    package mutating func forget(_ module: String) {
        learned.removeAll { $0.module == module }
    }
}
