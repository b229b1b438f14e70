import JinnDaemonCore

/// How many zygotes live at once, how long one may go unused, and how much memory they may hold together: one
/// zygote per environment would otherwise grow without bound as scripts with new environments come.
extension ZygotePool {
    /// Retires the zygotes beyond the limits of `configuration`: those unused for `zygote_idle_timeout`, then the
    /// least recently used ones beyond `max_zygotes` or `max_zygote_memory`. Zygotes serving runs are passed over
    /// (they end when their runs have); `keeping` (a zygote just made for a run) is never retired.
    ///
    /// - Parameter memory: the resident size of a zygote in bytes (by default, read from `/proc`).
    package func enforceLimits(_ configuration: Configuration, keeping kept: Zygote? = nil,
                               now: ContinuousClock.Instant = .now,
                               memory: (Zygote) -> Int = { $0.pid.map(ResidentMemory.bytes(of:)) ?? 0 })
    {
        let idleTimeout = Duration.milliseconds(Int(configuration.zygoteIdleTimeout * 1000))
        // Least recently used first.
        var live = current.map { ($0, $0.use) }.sorted { $0.1.last < $1.1.last }
        for (zygote, use) in live where use.idle && zygote !== kept && now - use.last >= idleTimeout {
            retire(zygote, reason: "it served no run for \(configuration.zygoteIdleTimeout) s (zygote_idle_timeout)")
        }
        live.removeAll { $0.0.isRetired }
        var count = live.count
        var total = live.reduce(0) { $0 + memory($1.0) }
        let budget = configuration.maximumZygoteMemory << 20
        for (zygote, use) in live where use.idle && zygote !== kept && (count > configuration.maximumZygotes || total > budget) {
            let reason = count > configuration.maximumZygotes
                ? "\(count) zygotes are over max_zygotes (\(configuration.maximumZygotes)); it was used least recently"
                : "the zygotes hold more than max_zygote_memory (\(configuration.maximumZygoteMemory) MiB); it was used least recently"
            total -= memory(zygote)
            count -= 1
            retire(zygote, reason: reason)
        }
    }
}
