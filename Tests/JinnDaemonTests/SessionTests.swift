import Foundation
@testable import JinnDaemon
import JinnWire
import Testing

struct SessionTests {
    @Test func aSessionDescribesItsRun() {
        let session = Session(id: "0123456789abcdef",
                              request: Fixtures.request(script: "tools/report.py", arguments: ["--month", "may"],
                                                        workingDirectory: "/srv/reports"),
                              clientFD: -1)
        #expect(session.script == "tools/report.py")
        #expect(session.arguments == ["--month", "may"])
        #expect(session.workingDirectory == "/srv/reports")
        #expect(session.scriptNames == ["tools/report.py", "report.py"])
        #expect(session.pid == nil && !session.hasEnded)
    }

    @Test func codeAndModuleRunsAreNamedAsOnTheCommandLine() {
        #expect(Session(id: "1", request: Fixtures.codeRequest(), clientFD: -1).script == "-c")
        let module = Session(id: "2", request: Fixtures.moduleRequest("http.server"), clientFD: -1)
        #expect(module.script == "-m http.server")
    }

    @Test func theClientIsToldOfTheStartAndTheEnd() {
        let client = ClientEnd()
        let session = Session(id: "0123456789abcdef", request: Fixtures.request(), clientFD: client.daemonFD)
        #expect(session.started(pid: 4242) == false)
        #expect(session.pid == 4242)
        session.ended(.exited(0))
        #expect(session.hasEnded)
        #expect(client.next() == .started(runID: "0123456789abcdef", pid: 4242))
        #expect(client.next() == .exited(0))
    }

    @Test func afterTheClientLeftNothingIsWrittenToIt() throws {
        let client = ClientEnd()
        let run = try SleepingProcess()
        let session = Session(id: "1", request: Fixtures.request(), clientFD: client.daemonFD)
        #expect(session.clientClosed() == nil)
        #expect(session.started(pid: run.pid) == true)
        session.ended(.exited(0))
        #expect(client.isQuiet)
    }

    @Test func aClosingClientLearnsWhetherTheRunStillGoes() throws {
        let run = try SleepingProcess()
        let running = Session(id: "1", request: Fixtures.request(), clientFD: -1)
        _ = running.started(pid: run.pid)
        #expect(running.clientClosed() == run.pid)
        let ended = Session(id: "2", request: Fixtures.request(), clientFD: -1)
        _ = ended.started(pid: run.pid)
        ended.ended(.exited(0))
        #expect(ended.clientClosed() == nil)
    }

    @Test func onlyARunThatHasStartedAndNotEndedIsSignalled() throws {
        let run = try SleepingProcess()
        let session = Session(id: "1", request: Fixtures.request(), clientFD: -1)
        #expect(session.signal(SIGTERM) == false)
        _ = session.started(pid: run.pid)
        #expect(session.signal(SIGTERM) == true)
        #expect(run.waitForSignal() == SIGTERM)
        session.ended(.exited(0))
        #expect(session.signal(SIGTERM) == false)
    }

    @Test func aSignalForARunWhoseStartIsAboutToBeToldWaitsForIt() throws {
        let run = try SleepingProcess()
        let session = Session(id: "1", request: Fixtures.request(), clientFD: -1)
        // The zygote tells the start a few milliseconds after the hand-over.
        Thread {
            usleep(20_000)
            _ = session.started(pid: run.pid)
        }.start()
        #expect(session.signal(SIGTERM) == true)
        #expect(run.waitForSignal() == SIGTERM)
    }

    @Test func terminatingARunEndsItsProcess() throws {
        let run = try SleepingProcess()
        let session = Session(id: "1", request: Fixtures.request(), clientFD: -1)
        _ = session.started(pid: run.pid)
        session.terminate()
        #expect(run.waitForSignal() == SIGTERM)
    }

    @Test func idsAreSixteenHexDigitsAndDiffer() {
        let ids = (0..<100).map { _ in Session.makeID() }
        #expect(ids.allSatisfy { $0.count == 16 && $0.allSatisfy(\.isHexDigit) })
        #expect(Set(ids).count == 100)
    }

    @Test func theListingHoldsWhatJinnSessionsShows() throws {
        let run = try SleepingProcess()
        let session = Session(id: "1", request: Fixtures.request(script: "/srv/a.py", arguments: ["x"]), clientFD: -1)
        #expect(session.listing["pid"] == PythonValue.none)
        _ = session.started(pid: run.pid)
        let listing = session.listing
        #expect(listing["id"] == "1" && listing["pid"] == .int(Int(run.pid)))
        #expect(listing["script"] == "/srv/a.py" && listing["args"] == ["x"] && listing["cwd"] == "/srv")
    }
}
