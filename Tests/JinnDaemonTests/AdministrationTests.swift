import Foundation
import Jinn
@testable import JinnDaemon
import JinnDaemonCore
import JinnWire
import Testing

struct KillSelectorTests {
    private static let sessions = [
        Session(id: "3fa2c0ffee000001", request: Fixtures.request(script: "/srv/tools/sleeper.py"), clientFD: -1),
        Session(id: "3fb0000000000002", request: Fixtures.request(script: "napper.py"), clientFD: -1),
        Session(id: "a000000000000003", request: Fixtures.codeRequest(), clientFD: -1),
        Session(id: "b000000000000004", request: Fixtures.moduleRequest("http.server"), clientFD: -1),
    ]

    @Test(arguments: [
        ("all", ["3fa2c0ffee000001", "3fb0000000000002", "a000000000000003", "b000000000000004"]),
        ("3fa2c0ffee000001", ["3fa2c0ffee000001"]),
        ("3fa2", ["3fa2c0ffee000001"]),
        ("3f", ["3fa2c0ffee000001", "3fb0000000000002"]),
        ("/srv/tools/sleeper.py", ["3fa2c0ffee000001"]),
        ("sleeper.py", ["3fa2c0ffee000001"]),
        ("napper.py", ["3fb0000000000002"]),
        ("-c", ["a000000000000003"]),
        ("-m http.server", ["b000000000000004"]),
        ("tools/sleeper.py", []),
        ("sleeper", []),
        ("http.server", []),
        ("c0ffee", []),
        ("ALL", []),
        ("", []),
    ])
    func aSelectorNamesSessionsByIdIdPrefixScriptOrAll(selector: String, expected: [String]) {
        #expect(Self.sessions.filter(KillSelector(selector).matches).map(\.id) == expected)
    }
}

struct AdministrationTests {
    /// Parts whose one zygote serves runs of `scripts`, each started on a process of its own.
    private func running(_ scripts: [String], parts: DaemonParts = DaemonParts()) throws
        -> (DaemonParts, [Session], [SleepingProcess], [ClientEnd])
    {
        var sessions: [Session] = [], runs: [SleepingProcess] = [], clients: [ClientEnd] = []
        for script in scripts {
            let client = ClientEnd()
            let run = try SleepingProcess()
            let request = Fixtures.request(script: script)
            let session = try parts.runs.run(request, descriptors: [0, 1, 2], clientFD: client.daemonFD)
            parts.maker.all[0].send(.started(runID: session.id, pid: run.pid))
            #expect(client.next() == .started(runID: session.id, pid: Int(run.pid)))
            sessions.append(session)
            runs.append(run)
            clients.append(client)
        }
        return (parts, sessions, runs, clients)
    }

    private func kill(_ parts: DaemonParts, _ selector: String, _ signal: Int32) -> DaemonMessage {
        parts.administration.answer(ClientRequest(kind: .kill, identity: DaemonParts.identity,
                                                  body: .tuple([.string(selector), .int(Int(signal))])))
    }

    @Test func killSignalsTheRunsTheSelectorNamesAndListsThem() throws {
        let (parts, sessions, runs, _) = try running(["/srv/sleeper.py", "/srv/napper.py"])
        #expect(kill(parts, "sleeper.py", SIGTERM) == .reply(.list([.string(sessions[0].id)])))
        #expect(runs[0].waitForSignal() == SIGTERM)
        #expect(runs[1].isRunning)
        #expect(parts.log.contains("run \(sessions[0].id) sent signal \(SIGTERM) by jinn kill"))
        #expect(kill(parts, String(sessions[1].id.prefix(5)), SIGKILL) == .reply(.list([.string(sessions[1].id)])))
        #expect(runs[1].waitForSignal() == SIGKILL)
    }

    @Test func killAllSignalsEveryRun() throws {
        let (parts, sessions, runs, _) = try running(["/srv/a.py", "/srv/b.py", "/srv/c.py"])
        guard case .reply(let reply) = kill(parts, "all", SIGUSR1) else {
            Issue.record("no reply")
            return
        }
        #expect(Set(reply.elements?.compactMap(\.stringValue) ?? []) == Set(sessions.map(\.id)))
        for run in runs { #expect(run.waitForSignal() == SIGUSR1) }
    }

    @Test func killThatMatchesNothingSignalsNothing() throws {
        let (parts, _, runs, _) = try running(["/srv/a.py"])
        #expect(kill(parts, "b.py", SIGTERM) == .reply(.list([])))
        #expect(kill(parts, "", SIGTERM) == .reply(.list([])))
        #expect(runs[0].isRunning)
    }

    @Test(arguments: [PythonValue.none, .tuple(["all"]), .tuple(["all", "TERM"]), .tuple([1, 15]),
                      .tuple(["all", 0]), .tuple(["all", 65])])
    func killNeedsASelectorAndASignalNumber(body: PythonValue) {
        let answer = DaemonParts().administration.answer(ClientRequest(kind: .kill, identity: "", body: body))
        #expect(answer == .error(code: "protocol", message: "kill needs (selector, signal number)"))
    }

    @Test func sessionsListEachRunningScript() throws {
        let (parts, sessions, runs, _) = try running(["/srv/tools/report.py"])
        let answer = parts.administration.answer(ClientRequest(kind: .sessions, identity: ""))
        guard case .reply(let reply) = answer, let listed = reply.elements, listed.count == 1 else {
            Issue.record("unexpected answer \(answer)")
            return
        }
        let listing = listed[0]
        #expect(listing["id"] == .string(sessions[0].id))
        #expect(listing["pid"] == .int(Int(runs[0].pid)))
        #expect(listing["script"] == "/srv/tools/report.py")
        #expect(listing["args"] == .list([]))
        #expect(listing["cwd"] == "/srv")
        #expect((listing["started"]?.doubleValue ?? 0) > Date().timeIntervalSince1970 - 60)
        #expect((listing["duration"]?.doubleValue ?? -1) >= 0)
    }

    @Test func statusDescribesTheDaemonItsZygotesAndItsRuns() throws {
        // The zygote claims this process's pid, so that its memory can be read.
        let maker = ProcessMaker { _, _ in
            ScriptedZygoteProcess(pid: getpid(), readyWhileStarting: ZygoteFacts(
                pid: getpid(), preloaded: ["json"], failures: [.init(module: "nope", error: "ModuleNotFoundError: nope")]))
        }
        let parts = DaemonParts(configuration: Fixtures.configuration(preload: ["json", "nope"],
                                                                       interpreter: Fixtures.key.executable),
                                maker: maker)
        let client = ClientEnd()
        let ended = try parts.runs.run(Fixtures.request(), descriptors: [0, 1, 2], clientFD: client.daemonFD)
        let run = try SleepingProcess()
        maker.all[0].send(.started(runID: ended.id, pid: run.pid))
        maker.all[0].send(.ended(runID: ended.id, .exited(0)))
        _ = try parts.runs.run(Fixtures.request(), descriptors: [0, 1, 2], clientFD: client.daemonFD)

        guard case .reply(let status) = parts.administration.answer(ClientRequest(kind: .status, identity: "")) else {
            Issue.record("no status")
            return
        }
        #expect(status["pid"] == .int(Int(getpid())))
        #expect(status["identity"] == .string(DaemonParts.identity))
        #expect(status["socket"] == "/run/jinn-test/daemon.sock")
        #expect(status["log"] == "/run/jinn-test/daemon.log")
        #expect(status["config"] == PythonValue.none)
        #expect(status["preload"] == ["json", "nope"])
        #expect(status["idle_timeout"] == 1800)
        #expect(status["runs"] == 1)
        #expect(status["active"] == 1)
        #expect(status["latency_p50_ms"]?.doubleValue != nil)
        #expect((status["uptime"]?.doubleValue ?? -1) >= 0)
        let zygotes = status["zygotes"]?.elements ?? []
        #expect(zygotes.count == 1)
        let zygote = zygotes.first ?? PythonValue.none
        #expect(zygote["pid"] == .int(Int(getpid())))
        #expect(zygote["environment"] == .string(parts.key().description))
        #expect(zygote["ready"] == true && zygote["retired"] == false)
        #expect(zygote["preloaded"] == ["json"])
        #expect(zygote["failed"] == .list([.tuple(["nope", "ModuleNotFoundError: nope"])]))
        #expect(zygote["runs"] == 1 && zygote["active"] == 1)
        #expect((zygote["memory"]?.intValue ?? 0) > 1_000_000)
    }

    @Test func aZygoteBeingLaunchedIsListedWithoutAPid() throws {
        let maker = ProcessMaker { _, _ in ScriptedZygoteProcess(holdsStart: true) }
        let parts = DaemonParts(maker: maker)
        let key = parts.key()
        Thread { _ = try? parts.pool.zygote(for: key, interpreter: Fixtures.interpreter(), configuration: .init()) }
            .start()
        let process = try #require(eventually { maker.all.first })
        process.waitUntilStarting()
        defer { process.releaseStart() }
        guard case .reply(let status) = parts.administration.answer(ClientRequest(kind: .status, identity: "")) else {
            Issue.record("no status")
            return
        }
        let zygote = status["zygotes"]?[0]
        #expect(zygote?["pid"] == PythonValue.none)
        #expect(zygote?["ready"] == false)
        #expect(zygote?["memory"] == 0)
    }

    @Test func stopIsAnsweredWithThePidAndCarriedOutOnlyAfterwards() {
        let parts = DaemonParts()
        #expect(parts.administration.answer(ClientRequest(kind: .stop, identity: ""))
                == .reply(.dict([.init("pid", .int(Int(getpid())))])))
        #expect(!parts.administration.stopRequest.isRequested)
    }

    @Test func aRunIsNotAnAdministrativeRequest() {
        let answer = DaemonParts().administration.answer(ClientRequest(kind: .run, identity: ""))
        #expect(answer == .error(code: "protocol", message: "a run is not an administrative request"))
    }
}
