import Foundation
import JinnDaemonCore
import JinnWire
import Logging

/// Answers the administrative requests: `status`, `sessions`, `kill` and `stop` (see `ClientRequest.Kind`).
struct Administration: Sendable {
    /// The directory the daemon serves.
    let directory: SocketDirectory
    /// The daemon's build identity.
    let identity: String
    /// When the daemon started.
    let startInstant: ContinuousClock.Instant
    let settings: ConfigurationWatcher
    let pool: ZygotePool
    let statistics: RunStatistics
    let stopRequest: StopRequest
    let logger: Logger

    /// The answer to an administrative request. A `stop` is answered here and carried out by ``stopDaemon()``,
    /// once the answer has been sent.
    func answer(_ request: ClientRequest) -> DaemonMessage {
        switch request.kind {
        case .status:
            return .reply(status)
        case .sessions:
            return .reply(.list(pool.sessions.map(\.listing)))
        case .kill:
            guard let selector = request.body[0]?.stringValue, let number = request.body[1]?.intValue,
                (1...64).contains(number)
            else {
                return .error(code: "protocol", message: "kill needs (selector, signal number)")
            }
            let signalled = kill(KillSelector(selector), signal: Int32(number))
            return .reply(.list(signalled.map { .string($0.id) }))
        case .stop:
            return .reply(.dict([.init("pid", .int(Int(getpid())))]))
        case .run:
            return .error(code: "protocol", message: "a run is not an administrative request")
        }
    }

    /// Stops the daemon: it stops listening at once and exits once its runs have ended.
    func stopDaemon() {
        stopRequest.request()
    }

    /// Sends a signal to the sessions the selector names; returns them.
    func kill(_ selector: KillSelector, signal number: Int32) -> [Session] {
        let matching = pool.sessions.filter(selector.matches)
        for session in matching {
            session.signal(number)
            logger.info("run \(session.id) sent signal \(number) by jinn kill")
        }
        return matching
    }

    /// The `jinn daemon status` reply.
    var status: PythonValue {
        let configuration = settings.current
        let zygotes = pool.zygotes.map(\.summary)
        func milliseconds(_ fraction: Double) -> PythonValue {
            statistics.latency(percentile: fraction).map { .float($0 * 1000) } ?? .none
        }
        return .dict([
            .init("pid", .int(Int(getpid()))),
            .init("identity", .string(identity)),
            .init("uptime", .float((ContinuousClock.now - startInstant).seconds)),
            .init("socket", .string(directory.socketPath)),
            .init("log", .string(configuration.effectiveLogFile)),
            .init("config", configuration.file.map(PythonValue.string) ?? .none),
            .init("idle_timeout", .int(configuration.idleTimeout)),
            .init("preload", .list(configuration.preload.map(PythonValue.string))),
            .init("runs", .int(statistics.served)),
            .init("active", .int(zygotes.reduce(0) { $0 + $1.active })),
            .init("latency_p50_ms", milliseconds(0.5)),
            .init("latency_p90_ms", milliseconds(0.9)),
            .init("latency_p99_ms", milliseconds(0.99)),
            .init("zygotes", .list(zygotes.map(\.listing))),
            // Modules that hung or ended a zygote while it preloaded them, and are preloaded no more.
            .init("skipped_preloads", .list(pool.skippedPreloads.map { entry in
                .dict([.init("interpreter", .string(entry.executable)), .init("module", .string(entry.failure.module)),
                       .init("reason", .string(entry.failure.reason))])
            })),
        ])
    }
}
