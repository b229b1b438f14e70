import Jinn
import JinnDaemonCore
import Logging
import Synchronization

/// Removes the script environments that no run has used for `environment_max_age` days: when the daemon starts,
/// then at most once an hour. Each pass runs on a task of its own, so the daemon's main loop never waits for the
/// file system, and only one runs at a time; an environment a run is using is never removed (see
/// ``ScriptEnvironmentCache/remove(unusedFor:now:)``), and the zygotes of a removed one are retired.
final class EnvironmentExpiry: Sendable {
    private let cache: ScriptEnvironmentCache
    private let pool: ZygotePool
    private let logger: Logger
    private let state = Mutex<(last: ContinuousClock.Instant?, running: Bool)>((nil, false))

    /// The least time between two passes.
    static let interval: Duration = .seconds(3600)

    init(cache: ScriptEnvironmentCache, pool: ZygotePool, logger: Logger) {
        self.cache = cache
        self.pool = pool
        self.logger = logger
    }

    /// Starts a pass when one is due and the configuration keeps environments for a limited time.
    func passIfDue(_ configuration: Configuration) {
        let days = configuration.environmentMaxAge
        guard days > 0 else { return }
        let now = ContinuousClock.now
        let due = state.withLock { state in
            guard !state.running, state.last.map({ now - $0 >= Self.interval }) ?? true else { return false }
            state = (now, true)
            return true
        }
        guard due else { return }
        Task { [self] in
            let removal = await cache.remove(unusedFor: .seconds(days * 86_400))
            for path in removal.removed {
                logger.notice("removed the script environment \(path): unused for \(days) days")
                for zygote in pool.zygotes where zygote.key.executable.hasPrefix(path + "/") {
                    pool.retire(zygote, reason: "its environment was removed")
                }
            }
            state.withLock { $0.running = false }
        }
    }
}
