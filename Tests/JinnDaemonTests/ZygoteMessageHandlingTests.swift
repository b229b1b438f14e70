import Foundation
import Jinn
@testable import JinnDaemon
import JinnWire
import Testing

/// What a zygote makes of its process's messages: its sessions' progress, the statistics and its own life. The
/// process is scripted, so each test says exactly what a zygote sent.
struct ZygoteMessageHandlingTests {
    @Test func readyRecordsWhatWasPreloadedAndWhatFailed() throws {
        let harness = try ZygoteHarness.launched()
        #expect(harness.zygote.summary.isReady == false)
        let facts = ZygoteFacts(pid: harness.process.pid, preloaded: ["json"],
                                failures: [.init(module: "nope", error: "ModuleNotFoundError: No module named 'nope'")])
        harness.process.send(.ready(facts))
        let summary = harness.zygote.summary
        #expect(summary.isReady && summary.facts == facts)
        #expect(harness.log.contains("zygote \(harness.process.pid) ready: preloaded [\"json\"]"))
        #expect(harness.log.contains("could not preload: nope (ModuleNotFoundError: No module named 'nope')"))
    }

    @Test func aRunIsHandedToTheProcessWithItsDescriptors() throws {
        let harness = try ZygoteHarness.launched()
        let client = ClientEnd()
        let request = Fixtures.request(arguments: ["--fast"])
        let session = try harness.submit(request, client: client)
        #expect(harness.process.submissions == [.init(runID: session.id, request: request, descriptors: 3)])
        #expect(harness.zygote.sessions.map(\.id) == [session.id])
        #expect(harness.zygote.summary.active == 1)
        #expect(client.isQuiet)
    }

    @Test func startedTellsTheClientAndRecordsTheStartLatency() throws {
        let harness = try ZygoteHarness.launched()
        let client = ClientEnd()
        let run = try SleepingProcess()
        let session = try harness.submit(client: client)
        harness.process.send(.started(runID: session.id, pid: run.pid))
        #expect(client.next() == .started(runID: session.id, pid: Int(run.pid)))
        #expect(session.pid == run.pid)
        #expect(harness.statistics.latency(percentile: 0.5) != nil)
        #expect(harness.statistics.served == 0)
        #expect(harness.log.contains("run \(session.id) started: /srv/tools/report.py (pid \(run.pid)"))
        #expect(run.isRunning)
    }

    @Test(arguments: [(Termination.exited(3), DaemonMessage.exited(3), "exited with status 3"),
                      (.exited(0), .exited(0), "exited with status 0"),
                      (.signaled(SIGKILL), .signaled(Int(SIGKILL)), "killed by signal 9")])
    func theRunsEndReachesTheClientAndCountsTheRun(termination: Termination, reply: DaemonMessage, logged: String)
        throws
    {
        let harness = try ZygoteHarness.launched()
        let client = ClientEnd()
        let run = try SleepingProcess()
        let session = try harness.submit(client: client)
        harness.process.send(.started(runID: session.id, pid: run.pid))
        harness.process.send(.ended(runID: session.id, termination))
        #expect(client.next() == .started(runID: session.id, pid: Int(run.pid)))
        #expect(client.next() == reply)
        #expect(session.hasEnded)
        #expect(harness.zygote.sessions.isEmpty)
        #expect(harness.zygote.summary.runs == 1 && harness.zygote.summary.active == 0)
        #expect(harness.statistics.served == 1)
        #expect(harness.log.contains("run \(session.id) ended: \(logged) after "))
        // An ended session is not signalled: the pid may belong to another process by now.
        #expect(session.signal(SIGTERM) == false)
        #expect(run.isRunning)
    }

    @Test func aRunThatCouldNotStartGetsTheZygotesReason() throws {
        let harness = try ZygoteHarness.launched()
        let client = ClientEnd()
        let session = try harness.submit(client: client)
        harness.process.send(.failed(runID: session.id, reason: "the forked child is gone"))
        // The zygote says so before a child has the run: it never began, and the client may run it itself.
        #expect(client.next() == .error(code: "unstarted", message: "the forked child is gone"))
        #expect(session.hasEnded && harness.zygote.sessions.isEmpty)
        #expect(harness.statistics.served == 1)
        #expect(harness.log.contains("failed: the forked child is gone"))
    }

    @Test func messagesAboutUnknownRunsChangeNothing() throws {
        let harness = try ZygoteHarness.launched()
        let client = ClientEnd()
        let session = try harness.submit(client: client)
        harness.process.send(.started(runID: "not-a-session", pid: 1))
        harness.process.send(.ended(runID: "not-a-session", .exited(0)))
        harness.process.send(.failed(runID: "not-a-session", reason: "?"))
        #expect(client.isQuiet)
        #expect(session.pid == nil)
        #expect(harness.zygote.summary.runs == 0 && harness.zygote.summary.active == 1)
        #expect(harness.statistics.served == 0 && harness.statistics.latency(percentile: 0.5) == nil)
    }

    @Test func anEndReportedTwiceIsCountedOnce() throws {
        let harness = try ZygoteHarness.launched()
        let client = ClientEnd()
        let session = try harness.submit(client: client)
        harness.process.send(.ended(runID: session.id, .exited(0)))
        harness.process.send(.ended(runID: session.id, .exited(1)))
        #expect(client.next() == .exited(0))
        #expect(client.isQuiet)
        #expect(harness.statistics.served == 1 && harness.zygote.summary.runs == 1)
    }

    @Test func unreadableMessagesAreLoggedAndTheZygoteGoesOn() throws {
        let harness = try ZygoteHarness.launched()
        harness.process.send(raw: .list(["ready"]))
        harness.process.send(raw: .tuple(["hello", "there"]))
        harness.process.send(raw: .tuple(["started", "id-only"]))
        let pid = harness.process.pid
        #expect(harness.log.contains("warning: zygote \(pid) sent a message that cannot be read: a zygote message"))
        #expect(harness.log.contains("unknown zygote message 'hello'"))
        #expect(harness.log.contains("malformed zygote message 'started'"))
        let client = ClientEnd()
        let session = try harness.submit(client: client)
        harness.process.send(.ended(runID: session.id, .exited(0)))
        #expect(client.next() == .exited(0))
    }

    @Test func aRunWhoseClientLeftIsTerminatedAsSoonAsItStarts() throws {
        let harness = try ZygoteHarness.launched()
        let client = ClientEnd()
        let run = try SleepingProcess()
        let session = try harness.submit(client: client)
        #expect(session.clientClosed() == nil)
        harness.process.send(.started(runID: session.id, pid: run.pid))
        #expect(run.waitForSignal() == SIGTERM)
        #expect(client.isQuiet)
    }

    @Test func theProcessEndingFailsItsRunsAndTellsItsOwner() throws {
        let harness = try ZygoteHarness.launched()
        let (first, second) = (ClientEnd(), ClientEnd())
        let started = try harness.submit(client: first)
        try harness.submit(client: second)
        let run = try SleepingProcess()
        harness.process.send(.started(runID: started.id, pid: run.pid))
        #expect(first.next() == .started(runID: started.id, pid: Int(run.pid)))
        harness.process.end(.signaled(SIGKILL))
        let ended = "the Python zygote serving this run ended (it was killed by signal 9 (SIGKILL))"
        #expect(first.next() == .error(code: "zygote", message: ended))
        // The second run was handed over but its start never reported: it may have begun, so it is lost, and its
        // client must not start it again.
        #expect(second.next() == .error(code: "lost", message: ended + " before it reported the run's start"))
        #expect(harness.zygote.hasEnded && harness.zygote.sessions.isEmpty)
        #expect(harness.owner.ends == 1)
        #expect(harness.log.contains("error: zygote \(harness.process.pid) ended unexpectedly: it was killed by signal"))
        #expect {
            try harness.submit(client: ClientEnd())
        } throws: { "\($0)" == "it ended (it was killed by signal 9 (SIGKILL))" }
        #expect(harness.process.submissions.count == 2)
    }

    @Test func aRetiredZygoteEndsOnceItsLastRunHasEnded() throws {
        let harness = try ZygoteHarness.launched()
        let client = ClientEnd()
        let session = try harness.submit(client: client)
        harness.zygote.retire(reason: "the configuration changed")
        #expect(harness.process.terminations == 0)
        #expect(harness.zygote.sessions.count == 1)
        harness.process.send(.ended(runID: session.id, .exited(0)))
        #expect(client.next() == .exited(0))
        #expect(harness.process.terminations == 1)
        #expect(harness.zygote.hasEnded && harness.owner.ends == 1)
        #expect(harness.log.contains("zygote \(harness.process.pid) retired: the configuration changed"))
        #expect(harness.log.contains("info: zygote \(harness.process.pid) ended (retired)"))
    }

    @Test func anIdleRetiredZygoteEndsAtOnceAndRetiresOnce() throws {
        let harness = try ZygoteHarness.launched()
        harness.zygote.retire(reason: "first")
        harness.zygote.retire(reason: "second")
        #expect(harness.process.terminations == 1)
        #expect(harness.log.contains("retired: first") && !harness.log.contains("retired: second"))
        #expect(harness.owner.ends == 1)
    }

    @Test func aRetiredZygoteTakesNoNewRuns() throws {
        let harness = try ZygoteHarness.launched()
        harness.process.ignoreTermination()
        harness.zygote.retire(reason: "a test retired it")
        #expect {
            try harness.submit(client: ClientEnd())
        } throws: { "\($0)" == "it was retired" }
        #expect(harness.process.submissions.isEmpty && harness.zygote.sessions.isEmpty)
    }

    @Test func aRunTheProcessCouldNotBeSentLeavesNoSession() throws {
        let harness = try ZygoteHarness.launched()
        harness.process.failSubmissions(with: .processNotRunning(.exited(1)))
        #expect(throws: ZygoteRefusal.self) {
            try harness.submit(client: ClientEnd())
        }
        #expect(harness.zygote.sessions.isEmpty)
    }

    @Test func aReadyMessageThatComesBeforeTheLaunchReturnsIsKept() throws {
        let facts = ZygoteFacts(pid: 4_000_002, preloaded: ["json"])
        let harness = ZygoteHarness(process: ScriptedZygoteProcess(pid: 4_000_002, readyWhileStarting: facts))
        #expect(harness.zygote.pid == nil)
        try harness.zygote.launch()
        #expect(harness.zygote.summary.facts == facts)
        #expect(harness.zygote.pid == 4_000_002)
        #expect(harness.log.contains("zygote 4000002 ready"))
    }

    @Test func runsWaitForTheLaunchOfTheirZygote() throws {
        let process = ScriptedZygoteProcess(holdsStart: true)
        let harness = ZygoteHarness(process: process)
        let launched = Thread { try? harness.zygote.launch() }
        launched.start()
        process.waitUntilStarting()
        let client = ClientEnd()
        let submitted = Flag()
        let session = Session(id: "0000000000000001", request: Fixtures.request(), clientFD: client.daemonFD)
        Thread {
            try? harness.zygote.submit(session, request: Fixtures.request(), descriptors: [0, 1, 2])
            submitted.raise()
        }.start()
        usleep(50_000)
        #expect(!submitted.isRaised && process.submissions.isEmpty)
        process.releaseStart()
        #expect(submitted.wait())
        #expect(process.submissions.map(\.runID) == [session.id])
    }

    @Test func aZygoteThatCannotStartHasEndedAndTellsItsOwner() throws {
        let process = ScriptedZygoteProcess(startFailure: .launchFailed(path: "/opt/python/bin/python3", errno: ENOENT))
        let harness = ZygoteHarness(process: process)
        #expect(throws: JinnError.self) { try harness.zygote.launch() }
        #expect(harness.zygote.hasEnded && harness.owner.ends == 1)
        #expect(harness.zygote.staleness(settings: ["", ""]) == "it ended")
        #expect {
            try harness.submit(client: ClientEnd())
        } throws: { "\($0)" == "it ended" }
    }

    @Test func aZygoteIsLaunchedOnce() throws {
        let harness = try ZygoteHarness.launched()
        try harness.zygote.launch()
        #expect(harness.process.starts == 1)
    }

    @Test func aZygoteStoppedWhileLaunchingEndsOnceItHasStarted() throws {
        let process = ScriptedZygoteProcess(holdsStart: true)
        let harness = ZygoteHarness(process: process)
        let done = Flag()
        Thread {
            try? harness.zygote.launch()
            done.raise()
        }.start()
        process.waitUntilStarting()
        harness.zygote.stop()
        #expect(process.terminations == 0)
        process.releaseStart()
        #expect(done.wait())
        #expect(process.terminations == 1)
        #expect(harness.log.contains("ended (stopped)"))
    }
}
