import Foundation
import Jinn
@testable import JinnDaemon
import JinnDaemonCore
import JinnWire
import Testing

struct RunDispatcherTests {
    @Test func aRunGoesToTheZygoteOfItsKey() throws {
        let parts = DaemonParts()
        let client = ClientEnd()
        let request = Fixtures.request(environment: ["PATH=/usr/bin", "PYTHONPATH=/src"])
        let session = try parts.runs.run(request, descriptors: [0, 1, 2], clientFD: client.daemonFD)
        let key = parts.key(["PYTHONPATH=/src"])
        #expect(parts.maker.processes(for: key).first?.submissions == [.init(runID: session.id, request: request,
                                                                             descriptors: 3)])
        #expect(parts.pool.sessions.map(\.id) == [session.id])
    }

    @Test func runsWithOtherStartupVariablesGoToAnotherZygote() throws {
        let parts = DaemonParts()
        let client = ClientEnd()
        for environment in [["LANG=C"], ["LANG=C", "PATH=/elsewhere"], ["LANG=C.UTF-8"]] {
            _ = try parts.runs.run(Fixtures.request(environment: environment), descriptors: [0, 1, 2],
                                   clientFD: client.daemonFD)
        }
        #expect(parts.maker.processes(for: parts.key(["LANG=C"])).first?.submissions.count == 2)
        #expect(parts.maker.processes(for: parts.key(["LANG=C.UTF-8"])).first?.submissions.count == 1)
        #expect(parts.maker.all.count == 2)
    }

    @Test func aZygoteThatCannotTakeTheRunIsRetiredAndAReplacementTakesIt() throws {
        let maker = ProcessMaker { _, index in
            let process = ScriptedZygoteProcess(readyWhileStarting: ZygoteFacts())
            if index == 0 { process.failSubmissions(with: .processNotRunning(.signaled(SIGKILL))) }
            return process
        }
        let parts = DaemonParts(maker: maker)
        let client = ClientEnd()
        let session = try parts.runs.run(Fixtures.request(), descriptors: [0, 1, 2], clientFD: client.daemonFD)
        let processes = maker.processes(for: parts.key())
        #expect(processes.count == 2)
        #expect(processes[1].submissions.map(\.runID) == [session.id])
        #expect(processes[0].terminations == 1)
        #expect(parts.log.contains("retired: it could not take a run: "))
        #expect(parts.pool.zygotes.count == 1)
    }

    @Test func whenNoZygoteTakesTheRunTheCallerIsToldWhy() {
        let maker = ProcessMaker { _, _ in
            let process = ScriptedZygoteProcess(readyWhileStarting: ZygoteFacts())
            process.failSubmissions(with: .processNotRunning(.exited(1)))
            return process
        }
        let parts = DaemonParts(maker: maker)
        #expect {
            try parts.runs.run(Fixtures.request(), descriptors: [0, 1, 2], clientFD: -1)
        } throws: { error in
            guard case .unstarted(let message) = error as? DaemonError else { return false }
            return message.hasPrefix("the Python zygote did not take the run: ")
        }
        #expect(maker.all.count == 2)
        #expect(parts.pool.sessions.isEmpty)
    }

    @Test func withoutAnInterpreterTheRunIsRefused() {
        let parts = DaemonParts(configuration: Fixtures.configuration())
        #expect {
            try parts.runs.run(Fixtures.request(environment: ["PATH=/nonexistent"]), descriptors: [0, 1, 2],
                               clientFD: -1)
        } throws: { error in
            guard case .interpreter(let message) = error as? DaemonError else { return false }
            return message == "no python3 on the caller's PATH (/nonexistent)"
        }
        #expect(parts.maker.all.isEmpty)
    }

    @Test func theSettingsOfTheMomentMakeTheZygote() throws {
        let parts = DaemonParts(configuration: Fixtures.configuration(preload: ["json"],
                                                                       interpreter: Fixtures.key.executable))
        _ = try parts.runs.run(Fixtures.request(), descriptors: [0, 1, 2], clientFD: -1)
        #expect(parts.pool.zygotes.first?.preload == ["json"])
        #expect(parts.pool.zygotes.first?.key.executable == Fixtures.key.executable)
    }
}
