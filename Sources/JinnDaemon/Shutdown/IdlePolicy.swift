/// When an idle daemon exits: after `idle_timeout` seconds with no connection open and no run in flight (0 keeps it
/// forever).
struct IdlePolicy: Sendable, Equatable {
    /// The idle timeout in seconds; 0 means never.
    var idleTimeout: Int

    /// Why the daemon should exit now, or nil.
    ///
    /// - Parameters:
    ///   - connections: the connections open now.
    ///   - runs: the runs in flight now.
    ///   - idle: how long ago the last connection opened or closed.
    func reason(connections: Int, runs: Int, idle: Duration) -> String? {
        guard idleTimeout > 0, connections == 0, runs == 0, idle >= .seconds(idleTimeout) else { return nil }
        return "idle for \(idleTimeout) s"
    }
}
