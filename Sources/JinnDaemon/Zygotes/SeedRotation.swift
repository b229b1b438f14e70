import JinnDaemonCore
import Synchronization

/// Bounds how long one `str` hash seed serves a key's runs.
///
/// Every run forked from a zygote inherits the zygote's hash seed, so without a bound a server started through
/// `jinn` would hash strings the same way as every other run for as long as the daemon lives, and hash
/// randomisation (a defence against hash flooding) would be gone. Once a zygote has served
/// `Configuration.hashSeedRuns` runs, or its first run is `Configuration.hashSeedLifetime` seconds old, a
/// successor (a new interpreter, a new seed) is launched off the critical path: runs keep going to the old zygote
/// until the successor is ready, then the successor becomes the key's zygote and the old one is retired. A run
/// whose `PYTHONHASHSEED` fixes the seed is not rotated.
///
/// ```swift
/// let rotation = SeedRotation()
/// if let reason = rotation.claim(zygote, configuration: configuration) { /* launch a successor */ }
/// ```
package final class SeedRotation: Sendable {
    private let state = Mutex<[ObjectIdentifier: Entry]>([:])

    private struct Entry {
        weak var zygote: Zygote?
        var firstSeen: ContinuousClock.Instant
        var replaced = false
    }

    /// A rotation that has seen no zygote yet.
    package init() {}

    /// Why `zygote`'s seed has served long enough, the first time it has and no successor is under way; nil
    /// otherwise. A non-nil answer is given once per zygote: the caller then launches the successor.
    package func claim(_ zygote: Zygote, configuration: Configuration, now: ContinuousClock.Instant = .now)
        -> String?
    {
        if zygote.key.startupVariables.contains(where: { $0.hasPrefix("PYTHONHASHSEED=") }) { return nil }
        let summary = zygote.summary
        let served = summary.runs + summary.active
        return state.withLock { entries -> String? in
            entries = entries.filter { $0.value.zygote != nil }
            let id = ObjectIdentifier(zygote)
            var entry = entries[id] ?? Entry(zygote: zygote, firstSeen: now)
            defer { entries[id] = entry }
            guard !entry.replaced else { return nil }
            let age = now - entry.firstSeen
            let reason: String
            if served >= configuration.hashSeedRuns {
                reason = "its hash seed served \(served) runs"
            } else if age >= .seconds(configuration.hashSeedLifetime) {
                reason = "its hash seed served for \(configuration.hashSeedLifetime) s"
            } else {
                return nil
            }
            entry.replaced = true
            return reason
        }
    }
}
