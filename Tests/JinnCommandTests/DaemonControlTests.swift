import CJinn
import Foundation
import Jinn
import JinnDaemonCore
import JinnWire
import Testing

/// Signals, sessions, configuration, zygote retirement and the fallback to the interpreter.
@Suite(.serialized)
struct DaemonControlTests {
    /// Starts a script that prints its pid and then waits; returns the client and the run's pid.
    private func startWaiting(_ box: ScriptRunnerSandbox, _ script: String, _ source: String) throws
        -> (Spawned, pid_t)
    {
        try box.script(script, "import os, sys, time\n" + source
                       + "\nprint(os.getpid(), flush=True)\nwhile True:\n    time.sleep(0.05)\n")
        let client = try box.startJinn([script])
        let printed = client.readOutput(until: "\n")
        return (client, pid_t(printed.split(separator: "\n").first ?? "") ?? 0)
    }

    @Test func signalsReachTheRun() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let (client, run) = try startWaiting(box, "signals.py", """
            import signal
            def note(number, frame):
                print('got', signal.Signals(number).name, flush=True)
                if number == signal.SIGTERM:
                    sys.exit(7)
            for name in ('SIGUSR1', 'SIGUSR2', 'SIGHUP', 'SIGWINCH', 'SIGTERM'):
                signal.signal(getattr(signal, name), note)
            """)
        #expect(run > 0)
        for number in [SIGUSR1, SIGUSR2, SIGHUP, SIGWINCH] {
            kill(client.pid, number)
            let name = Termination.signalName(number)
            #expect(client.readOutput(until: "got \(name)\n").contains("got \(name)"))
        }
        kill(client.pid, SIGTERM)
        let outcome = client.wait()
        #expect(outcome.termination == .exited(7))
        #expect(outcome.output.hasSuffix("got SIGTERM\n"))
    }

    @Test func controlCRaisesKeyboardInterruptInTheScript() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let (client, _) = try startWaiting(box, "interrupted.py", "")
        kill(client.pid, SIGINT)
        let outcome = client.wait()
        // Uncaught KeyboardInterrupt: the traceback, then death by SIGINT, as python3.
        #expect(outcome.termination == .signaled(SIGINT))
        #expect(outcome.errors.hasPrefix("Traceback (most recent call last):\n"))
        #expect(outcome.errors.hasSuffix("KeyboardInterrupt\n"))
    }

    @Test func controlZStopsTheRunAndTheClientTogether() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let (client, run) = try startWaiting(box, "stoppable.py", "")
        func state(_ pid: pid_t) -> String { ProcessStatus(pid)?.state ?? "?" }
        kill(client.pid, SIGTSTP)
        #expect(eventually { state(client.pid) == "T" && state(run) == "T" }, "\(state(client.pid)) \(state(run))")
        kill(client.pid, SIGCONT)
        #expect(eventually { state(client.pid) != "T" && state(run) != "T" }, "\(state(client.pid)) \(state(run))")
        kill(client.pid, SIGTERM)
        #expect(client.wait().termination == .signaled(SIGTERM))
    }

    @Test func aKilledClientTakesItsRunAlong() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let (client, run) = try startWaiting(box, "orphan.py", "")
        #expect(isRunning(run))
        kill(client.pid, SIGKILL)
        _ = client.wait()
        #expect(eventually { !isRunning(run) })
        #expect(try eventually { try box.request(.sessions).elements?.isEmpty == true })
        #expect(box.log().contains("the client went away"))
    }

    @Test func sessionsAreListedAndKilledByIdPrefixNameOrAll() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let (first, firstRun) = try startWaiting(box, "sleeper.py", "")
        let (second, secondRun) = try startWaiting(box, "napper.py", "")
        let (third, _) = try startWaiting(box, "dozer.py", "")
        let listing = try box.jinn(["sessions", "--json"])
        let sessions = try JSONSerialization.jsonObject(with: listing.standardOutput) as? [[String: Any]] ?? []
        #expect(sessions.count == 3)
        let byScript = Dictionary(uniqueKeysWithValues: sessions.map { ($0["script"] as? String ?? "", $0) })
        #expect(byScript["sleeper.py"]?["pid"] as? Int == Int(firstRun))
        #expect(byScript["napper.py"]?["cwd"] as? String == box.scripts.path)
        let table = try box.jinn(["sessions"]).output
        #expect(table.contains("sleeper.py") && table.contains("napper.py") && table.contains("ID"))

        #expect(try box.jinn(["kill", "sleeper.py"]).termination == .exited(0))
        #expect(first.wait().termination == .signaled(SIGTERM))
        #expect(!isRunning(firstRun))
        let prefix = String((byScript["napper.py"]?["id"] as? String ?? "").prefix(6))
        #expect(try box.jinn(["kill", "--signal", "KILL", prefix]).termination == .exited(0))
        #expect(second.wait().termination == .signaled(SIGKILL))
        #expect(!isRunning(secondRun))
        #expect(try box.jinn(["kill", "all"]).output.hasPrefix("signalled "))
        #expect(third.wait().termination == .signaled(SIGTERM))
        let none = try box.jinn(["kill", "nothing-by-this-name"])
        #expect(none.termination == .exited(1))
        #expect(none.errors.contains("no running script matches"))
    }

    @Test func statusShowsZygotesRunsAndLatency() async throws {
        let box = try await ScriptRunnerSandbox(configuration: "preload = [\"json\", \"no_such_module_for_jinn\"]\n")
        defer { box.tearDown() }
        for _ in 0..<3 { _ = try box.jinn(["-c", "pass"]) }
        let outcome = try box.jinn(["daemon", "status"])
        #expect(outcome.termination == .exited(0))
        let text = outcome.output
        #expect(text.contains("3 served"), "\(text)")
        #expect(text.contains("start latency: p50"))
        #expect(text.contains("preloaded:   json"))
        #expect(text.contains(try box.daemonIdentity()))
        let json = try JSONSerialization.jsonObject(with: try box.jinn(["daemon", "status", "--json"]).standardOutput)
            as? [String: Any] ?? [:]
        let zygotes = json["zygotes"] as? [[String: Any]] ?? []
        #expect(zygotes.count == 1)
        #expect((zygotes.first?["memory"] as? Int ?? 0) > 1_000_000)
        #expect((zygotes.first?["failed"] as? [[String]])?.first?.first == "no_such_module_for_jinn")
        #expect(json["latency_p50_ms"] as? Double != nil)
        #expect(box.log().contains("could not preload"))
    }

    @Test func daemonStartStopAndRestart() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let notRunning = try box.jinn(["daemon", "status"])
        #expect(notRunning.termination == .exited(3))
        #expect(notRunning.errors.contains("no jinn daemon is running"))
        let started = try box.jinn(["daemon", "start"])
        #expect(started.output.contains("daemon started"), "\(started)")
        let first = try box.daemonPID()
        #expect(try box.jinn(["daemon", "start"]).output.contains("already running (pid \(first))"))
        let restarted = try box.jinn(["daemon", "restart"])
        #expect(restarted.termination == .exited(0), "\(restarted)")
        let second = try box.daemonPID()
        #expect(second != first && !isRunning(first))
        let stopped = try box.jinn(["daemon", "stop"])
        #expect(stopped.output.contains("daemon stopped (pid \(second))"))
        #expect(!isRunning(second))
        #expect(try box.jinn(["daemon", "stop"]).output.contains("no daemon is running"))
    }

    @Test func settingsComeFromFlagsThenEnvironmentThenFile() async throws {
        let box = try await ScriptRunnerSandbox(configuration: "preload = [\"json\"]\n")
        defer { box.tearDown() }
        func preloads() throws -> [String] {
            try box.request(.status)["preload"]?.elements?.compactMap(\.stringValue) ?? []
        }
        _ = try box.jinn(["daemon", "start"])
        #expect(try preloads() == ["json"])
        _ = try box.jinn(["daemon", "restart"], environment: ["JINN_PRELOAD": "decimal"])
        #expect(try preloads() == ["decimal"])
        _ = try box.jinn(["daemon", "restart", "--preload", "fractions,csv"], environment: ["JINN_PRELOAD": "decimal"])
        #expect(try preloads() == ["fractions", "csv"])
    }

    @Test func anInvalidConfigurationIsReportedAndScriptsStillRun() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.writeConfiguration("idle_timeout = \"later\"\n")
        let start = try box.jinn(["daemon", "start"])
        #expect(start.termination == .exited(2))
        #expect(start.errors.contains(box.configFile))
        #expect(start.errors.contains("'idle_timeout' must be a whole number of seconds (0 or more), not a string"))
        let run = try box.jinn(["-c", "print('still runs')"])
        #expect(run.output == "still runs\n")
        #expect(run.errors.contains("invalid configuration"))
        #expect(run.termination == .exited(0))
    }

    @Test func aChangedConfigurationRetiresTheZygote() async throws {
        let box = try await ScriptRunnerSandbox(configuration: "preload = [\"json\"]\n")
        defer { box.tearDown() }
        func zygotePIDs() throws -> [Int] {
            try box.request(.status)["zygotes"]?.elements?.compactMap { $0["pid"]?.intValue } ?? []
        }
        #expect(try box.jinn(["-c", "import sys; print('json' in sys.modules)"]).output == "True\n")
        let first = try zygotePIDs()
        try box.writeConfiguration("idle_timeout = 300\npreload = [\"decimal\"]\n")
        #expect(try box.jinn(["-c", "import sys; print('decimal' in sys.modules)"]).output == "True\n")
        let second = try zygotePIDs()
        #expect(second.count == 1 && second != first, "\(first) → \(second)")
        #expect(eventually { !isRunning(pid_t(first.first ?? 0)) })
        #expect(box.log().contains("retired: its configuration file \(box.configFile) changed"))
    }

    @Test func aChangedPreloadedModuleRetiresTheZygote() async throws {
        let box = try await ScriptRunnerSandbox(configuration: "preload = [\"jinn_test_preloaded\"]\n")
        defer { box.tearDown() }
        let library = box.root.path + "/library"
        try FileManager.default.createDirectory(atPath: library, withIntermediateDirectories: true)
        let module = library + "/jinn_test_preloaded.py"
        try "VERSION = 1\n".write(toFile: module, atomically: true, encoding: .utf8)
        let code = "import jinn_test_preloaded as m; print(m.VERSION)"
        let environment = ["PYTHONPATH": library]
        #expect(try box.jinn(["-c", code], environment: environment).output == "1\n")
        #expect(try box.jinn(["-c", code], environment: environment).output == "1\n")
        // Another size too: within one second python3 itself would trust a cached .pyc of the same size.
        try "VERSION = 2  # edited\n".write(toFile: module, atomically: true, encoding: .utf8)
        #expect(try box.jinn(["-c", code], environment: environment).output == "2\n")
        #expect(box.log().contains("retired: \(module) changed"))
    }

    @Test func withoutADaemonTheInterpreterRunsDirectly() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("plain.py", "import sys\nprint('direct', sys.argv)\n")
        let direct = try box.jinn(["--no-daemon", "plain.py", "x"])
        #expect(direct == (try box.python3(["plain.py", "x"])))
        #expect(!FileManager.default.fileExists(atPath: box.socketDirectory + "/daemon.sock"))
        // A socket directory others can enter is not used; the script still runs, with a note under -v.
        try FileManager.default.createDirectory(atPath: box.socketDirectory, withIntermediateDirectories: true)
        chmod(box.socketDirectory, 0o755)
        let fallback = try box.jinn(["--verbose", "plain.py", "y"])
        #expect(fallback.output == "direct ['plain.py', 'y']\n")
        #expect(fallback.errors.contains("running the interpreter directly: the socket directory"), "\(fallback)")
        #expect(fallback.errors.contains("open to other users"))
        let quiet = try box.jinn(["plain.py", "z"])
        #expect(quiet.errors.isEmpty)
    }
}
