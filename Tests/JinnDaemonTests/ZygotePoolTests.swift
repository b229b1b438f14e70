import Foundation
import Jinn
@testable import JinnDaemon
import JinnDaemonCore
import JinnWire
import Testing

/// The pool: one zygote per key, replaced when stale, forgotten when ended, and each key started on its own.
struct ZygotePoolTests {
    private let keyA = ZygoteKey(executable: Fixtures.key.executable, environment: [Array("PYTHONPATH=/a".utf8)])
    private let keyB = ZygoteKey(executable: Fixtures.key.executable, environment: [Array("PYTHONPATH=/b".utf8)])
    private let keyC = ZygoteKey(executable: Fixtures.key.executable, environment: [Array("PYTHONPATH=/c".utf8)])

    private func pool(_ maker: ProcessMaker = ProcessMaker(), log: LogRecord = LogRecord()) -> ZygotePool {
        ZygotePool(logger: log.logger, statistics: RunStatistics(), makeProcess: maker.factory)
    }

    private func zygote(_ pool: ZygotePool, _ key: ZygoteKey, preload: [String] = []) throws -> Zygote {
        try pool.zygote(for: key, interpreter: Fixtures.interpreter(),
                        configuration: Fixtures.configuration(preload: preload))
    }

    /// The zygote of a run whose own configuration (read from `file` at `version`) preloads `preload`, keyed as
    /// `RunDispatcher` keys it.
    private func zygote(_ pool: ZygotePool, preload: [String], file: String?, version: String?) throws -> Zygote {
        var configuration = Fixtures.configuration(preload: preload)
        configuration.file = file
        configuration.fileVersion = version
        let key = ZygoteKey(executable: Fixtures.key.executable, environment: [],
                            settings: configuration.zygoteSettings)
        return try pool.zygote(for: key, interpreter: Fixtures.interpreter(), configuration: configuration)
    }

    @Test func oneZygoteServesEveryRunOfAKey() throws {
        let maker = ProcessMaker()
        let pool = pool(maker)
        let first = try zygote(pool, keyA)
        #expect(try zygote(pool, keyA) === first)
        #expect(maker.processes(for: keyA).count == 1)
        #expect(maker.processes(for: keyA).first?.starts == 1)
        #expect(first.key == keyA && first.pid == maker.processes(for: keyA).first?.pid)
    }

    @Test func eachKeyHasAZygoteOfItsOwn() throws {
        let maker = ProcessMaker()
        let pool = pool(maker)
        let a = try zygote(pool, keyA)
        let b = try zygote(pool, keyB)
        #expect(a !== b)
        #expect(Set(pool.zygotes.map(\.key)) == [keyA, keyB])
        #expect(maker.all.count == 2)
    }

    @Test func theZygoteIsMadeWithTheSettingsOfTheMoment() throws {
        let pool = pool()
        let made = try zygote(pool, keyA, preload: ["json", "csv"])
        #expect(made.preload == ["json", "csv"])
        #expect(made.settings == Fixtures.configuration(preload: ["json", "csv"]).zygoteSettings)
    }

    @Test func aStaleZygoteIsRetiredAndReplaced() throws {
        let maker = ProcessMaker()
        let log = LogRecord()
        let pool = pool(maker, log: log)
        // Within one key, other preloads (a script environment's, grown) make the zygote stale.
        let old = try zygote(pool, keyA, preload: ["json"])
        let new = try zygote(pool, keyA, preload: ["decimal"])
        #expect(new !== old)
        #expect(old.summary.retired)
        // It served nothing, so it was stopped at once, ended, and was let go.
        #expect(maker.processes(for: keyA).first?.terminations == 1)
        #expect(old.hasEnded)
        #expect(pool.zygotes.count == 1 && pool.zygotes.first === new)
        #expect(log.contains("retired: the configuration changed"))
    }

    @Test func runsOfDifferentConfigurationsHaveZygotesOfTheirOwnSideBySide() throws {
        let pool = pool()
        let plain = try zygote(pool, preload: [], file: nil, version: nil)
        let numeric = try zygote(pool, preload: ["decimal"], file: "/home/a/jinn.toml", version: "1")
        // Runs of each keep getting their own, in any order: neither retires the other.
        #expect(try zygote(pool, preload: [], file: nil, version: nil) === plain)
        #expect(try zygote(pool, preload: ["decimal"], file: "/home/a/jinn.toml", version: "1") === numeric)
        #expect(plain.key != numeric.key && plain.preload.isEmpty && numeric.preload == ["decimal"])
        #expect(!plain.summary.retired && !numeric.summary.retired)
    }

    @Test func aZygoteOfAnEarlierVersionOfItsFileIsRetiredOnceTheEditedFileHasOne() throws {
        let maker = ProcessMaker()
        let log = LogRecord()
        let pool = pool(maker, log: log)
        let other = try zygote(pool, preload: ["csv"], file: "/home/b/jinn.toml", version: "1")
        let old = try zygote(pool, preload: ["json"], file: "/home/a/jinn.toml", version: "1")
        let new = try zygote(pool, preload: ["decimal"], file: "/home/a/jinn.toml", version: "2")
        #expect(new !== old)
        #expect(old.summary.retired)
        // It served nothing, so it was stopped at once, ended, and was let go.
        #expect(maker.processes(for: old.key).first?.terminations == 1)
        #expect(old.hasEnded)
        #expect(!other.summary.retired)
        #expect(Set(pool.zygotes.map(ObjectIdentifier.init)) == [ObjectIdentifier(new), ObjectIdentifier(other)])
        #expect(log.contains("retired: its configuration file /home/a/jinn.toml changed"))
    }

    @Test func aRetiredZygoteThatStillServesARunIsListedUntilItEnds() throws {
        let maker = ProcessMaker()
        let pool = pool(maker)
        let old = try zygote(pool, keyA)
        let client = ClientEnd()
        let session = Session(id: "00000000000000aa", request: Fixtures.request(), clientFD: client.daemonFD)
        try old.submit(session, request: Fixtures.request(), descriptors: [0, 1, 2])
        pool.retire(old, reason: "a test retired it")
        let new = try zygote(pool, keyA)
        #expect(new !== old)
        #expect(pool.zygotes.count == 2)
        #expect(pool.sessions.map(\.id) == [session.id])
        maker.processes(for: keyA)[0].send(.ended(runID: session.id, .exited(0)))
        #expect(client.next() == .exited(0))
        #expect(pool.zygotes.count == 1 && pool.zygotes.first === new)
        #expect(pool.sessions.isEmpty)
    }

    @Test func anEndedZygoteIsForgottenAndItsKeyGetsANewOne() throws {
        let maker = ProcessMaker()
        let pool = pool(maker)
        let crashed = try zygote(pool, keyA)
        maker.processes(for: keyA)[0].end(.signaled(SIGKILL))
        #expect(pool.zygotes.isEmpty)
        let replacement = try zygote(pool, keyA)
        #expect(replacement !== crashed && !replacement.hasEnded)
        #expect(maker.processes(for: keyA).count == 2)
    }

    @Test func retiringAnEndedZygoteDoesNotKeepIt() throws {
        let maker = ProcessMaker()
        let pool = pool(maker)
        let ended = try zygote(pool, keyA)
        maker.processes(for: keyA)[0].end(.exited(1))
        pool.retire(ended, reason: "it could not take a run")
        #expect(pool.zygotes.isEmpty)
    }

    @Test func aColdStartHoldsUpNoOtherKey() throws {
        let maker = ProcessMaker { key, _ in
            ScriptedZygoteProcess(holdsStart: key.startupVariables == ["PYTHONPATH=/a"])
        }
        let pool = pool(maker)
        let warm = try zygote(pool, keyB)

        // Key A's zygote is launched on another thread, whose start does not return until the test says so.
        let coldLaunched = Flag()
        Thread {
            _ = try? zygote(pool, keyA)
            coldLaunched.raise()
        }.start()
        let cold = try #require(eventually { maker.processes(for: keyA).first })
        cold.waitUntilStarting()

        // Meanwhile the warm key's runs go through, and a third key's zygote starts and takes a run.
        let client = ClientEnd()
        for index in 0..<3 {
            let session = Session(id: "warm-\(index)", request: Fixtures.request(), clientFD: client.daemonFD)
            try zygote(pool, keyB).submit(session, request: Fixtures.request(), descriptors: [0, 1, 2])
        }
        #expect(try zygote(pool, keyB) === warm)
        #expect(maker.processes(for: keyB).first?.submissions.count == 3)
        let third = try zygote(pool, keyC)
        let other = Session(id: "other", request: Fixtures.request(), clientFD: client.daemonFD)
        try third.submit(other, request: Fixtures.request(), descriptors: [0, 1, 2])
        #expect(maker.processes(for: keyC).first?.submissions.map(\.runID) == ["other"])

        // All of that while key A's start is still held: its launch has not returned and it has no run.
        #expect(!coldLaunched.isRaised)
        #expect(cold.submissions.isEmpty)
        // A run for key A finds the zygote being launched without waiting; its submission waits for the launch.
        let launching = try zygote(pool, keyA)
        #expect(launching.pid == nil)
        let coldSubmitted = Flag()
        Thread {
            let session = Session(id: "cold", request: Fixtures.request(), clientFD: client.daemonFD)
            try? launching.submit(session, request: Fixtures.request(), descriptors: [0, 1, 2])
            coldSubmitted.raise()
        }.start()
        usleep(50_000)
        #expect(!coldSubmitted.isRaised && cold.submissions.isEmpty)

        cold.releaseStart()
        #expect(coldLaunched.wait() && coldSubmitted.wait())
        #expect(cold.submissions.map(\.runID) == ["cold"])
        #expect(maker.processes(for: keyA).count == 1)
    }

    @Test func aZygoteThatCannotStartIsReportedAndForgotten() throws {
        let maker = ProcessMaker { _, index in
            ScriptedZygoteProcess(startFailure: index == 0 ? .launchFailed(path: "/opt/python", errno: EACCES) : nil)
        }
        let log = LogRecord()
        let pool = pool(maker, log: log)
        #expect {
            try zygote(pool, keyA)
        } throws: { error in
            guard case .zygote(let message) = error as? DaemonError else { return false }
            return message.hasPrefix("cannot start the Python zygote: ")
        }
        #expect(pool.zygotes.isEmpty)
        #expect(log.contains("error: cannot start a zygote for \(keyA)"))
        #expect(!(try zygote(pool, keyA)).hasEnded)
    }

    @Test func stoppingThePoolEndsEveryZygote() throws {
        let maker = ProcessMaker()
        let pool = pool(maker)
        _ = try zygote(pool, keyA)
        _ = try zygote(pool, keyB)
        pool.stopAll()
        #expect(maker.all.map(\.terminations) == [1, 1])
        #expect(pool.zygotes.isEmpty)
    }

    @Test func sessionsAreListedOldestFirstAcrossZygotes() throws {
        let pool = pool()
        let client = ClientEnd()
        var ids: [String] = []
        for (index, key) in [keyA, keyB, keyA, keyC].enumerated() {
            let id = "session-\(index)"
            let session = Session(id: id, request: Fixtures.request(), clientFD: client.daemonFD)
            try zygote(pool, key).submit(session, request: Fixtures.request(), descriptors: [0, 1, 2])
            ids.append(id)
        }
        #expect(pool.sessions.map(\.id) == ids)
    }
}

/// Polls (up to ten seconds) until `value` is not nil.
func eventually<Value>(_ value: () -> Value?) -> Value? {
    let deadline = ContinuousClock.now + .seconds(10)
    while ContinuousClock.now < deadline {
        if let found = value() { return found }
        usleep(1_000)
    }
    return value()
}
