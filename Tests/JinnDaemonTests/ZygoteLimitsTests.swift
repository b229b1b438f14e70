import Foundation
import Jinn
@testable import JinnDaemon
import JinnDaemonCore
import JinnWire
import Testing

/// The pool's limits: how many zygotes live at once, how long one may go unused, how much memory they hold.
struct ZygoteLimitsTests {
    private let keys = (0..<4).map { index in
        ZygoteKey(executable: Fixtures.key.executable, environment: [Array("PYTHONPATH=/\(index)".utf8)])
    }

    private func configuration(_ change: (inout Configuration) -> Void) -> Configuration {
        var configuration = Fixtures.configuration()
        change(&configuration)
        return configuration
    }

    @Test func beyondMaxZygotesTheLeastRecentlyUsedIsRetired() throws {
        let log = LogRecord()
        let pool = ZygotePool(logger: log.logger, statistics: RunStatistics(), makeProcess: ProcessMaker().factory)
        let limited = configuration { $0.maximumZygotes = 2 }
        let first = try pool.zygote(for: keys[0], interpreter: Fixtures.interpreter(), configuration: limited)
        let second = try pool.zygote(for: keys[1], interpreter: Fixtures.interpreter(), configuration: limited)
        // The first is used again (and still serves the run), so the second is the one to go.
        let client = ClientEnd()
        let session = Session(id: "again", request: Fixtures.request(), clientFD: client.daemonFD)
        try first.submit(session, request: Fixtures.request(), descriptors: [0, 1, 2])
        let third = try pool.zygote(for: keys[2], interpreter: Fixtures.interpreter(), configuration: limited)
        #expect(Set(pool.current.map(\.key)) == [keys[0], keys[2]])
        #expect(second.isRetired && !first.isRetired && !third.isRetired)
        #expect(log.contains("3 zygotes are over max_zygotes (2); it was used least recently"))
    }

    @Test func aZygoteServingRunsIsNeverRetiredForTheLimits() throws {
        let pool = ZygotePool(logger: LogRecord().logger, statistics: RunStatistics(),
                              makeProcess: ProcessMaker().factory)
        let limited = configuration { $0.maximumZygotes = 1 }
        let busy = try pool.zygote(for: keys[0], interpreter: Fixtures.interpreter(), configuration: limited)
        let client = ClientEnd()
        try busy.submit(Session(id: "busy", request: Fixtures.request(), clientFD: client.daemonFD),
                        request: Fixtures.request(), descriptors: [0, 1, 2])
        let other = try pool.zygote(for: keys[1], interpreter: Fixtures.interpreter(), configuration: limited)
        #expect(!busy.isRetired && !other.isRetired)
        #expect(pool.current.count == 2)
    }

    @Test func anIdleZygoteIsRetiredAfterItsIdleTimeout() throws {
        let log = LogRecord()
        let pool = ZygotePool(logger: log.logger, statistics: RunStatistics(), makeProcess: ProcessMaker().factory)
        let limits = configuration { $0.zygoteIdleTimeout = 60 }
        let zygote = try pool.zygote(for: keys[0], interpreter: Fixtures.interpreter(), configuration: limits)
        pool.enforceLimits(limits, now: .now + .seconds(30))
        #expect(!zygote.isRetired)
        pool.enforceLimits(limits, now: .now + .seconds(61))
        #expect(zygote.isRetired && pool.current.isEmpty)
        #expect(log.contains("it served no run for 60.0 s (zygote_idle_timeout)"))
    }

    @Test func beyondTheMemoryBudgetTheLeastRecentlyUsedAreRetired() throws {
        let pool = ZygotePool(logger: LogRecord().logger, statistics: RunStatistics(),
                              makeProcess: ProcessMaker().factory)
        let limits = configuration { $0.maximumZygoteMemory = 250 }
        let zygotes = try keys.prefix(3).map { key in
            try pool.zygote(for: key, interpreter: Fixtures.interpreter(), configuration: Fixtures.configuration())
        }
        // 100 MiB each: 300 MiB is over the budget of 250 by one zygote, the oldest.
        pool.enforceLimits(limits) { _ in 100 << 20 }
        #expect(zygotes.map(\.isRetired) == [true, false, false])
    }
}
