import CJinn
import Foundation
import Jinn
import JinnDaemonCore
import JinnWire
import Testing

/// The client against a daemon that does not answer and zygotes that die as a run starts: every wait ends, signals
/// are answered, and a run is never started twice.
@Suite(.serialized)
struct RunnerFaultTests {
    @Test func aStoppedDaemonNeverHangsItsClientAndNeverStartsARunWhoseClientWentAway() async throws {
        let box = try await ScriptRunnerSandbox(configuration: "client_timeout = 1\n")
        defer { box.tearDown() }
        #expect(try box.jinn(["-c", "print(1)"]).output == "1\n")
        let daemon = try box.daemonPID()
        kill(daemon, SIGSTOP)
        var continued = false
        defer { if !continued { kill(daemon, SIGCONT) } }

        // The client gives up on the daemon and runs the interpreter itself; its output's reader sees its end.
        let direct = try box.jinn(["--verbose", "-c", "print('direct')"])
        #expect(direct.termination == .exited(0) && direct.output == "direct\n", "\(direct)")
        #expect(direct.errors.contains("running the interpreter directly: the daemon did not answer"), "\(direct)")

        // A client that is killed, and one that is asked to end, while they wait for the daemon.
        let marker = box.root.path + "/started"
        let script = try box.script("mark.py", "open(\(marker.debugDescription), 'a').write('ran\\n')\n")
        let killed = try box.startJinn([script])
        let terminated = try box.startJinn([script])
        usleep(300_000)
        kill(killed.pid, SIGKILL)
        kill(terminated.pid, SIGTERM)
        #expect(killed.wait().termination == .signaled(SIGKILL))
        #expect(terminated.wait().termination == .signaled(SIGTERM))

        // Once the daemon goes on, neither request is started: their clients gave them up.
        kill(daemon, SIGCONT)
        continued = true
        #expect(try box.jinn(["-c", "print(2)"]).output == "2\n")
        #expect(try eventually { try box.request(.sessions).elements?.isEmpty == true })
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(try box.daemonPID() == daemon)
    }

    @Test func aZygoteKilledAsARunStartsNeverRunsItTwice() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let marker = box.root.path + "/runs"
        // The run kills its zygote at once: before the zygote has reported the start, or just after.
        let script = try box.script("parricide.py", """
            import os, signal, time
            with open(\(marker.debugDescription), 'a') as f:
                f.write('ran\\n')
            def parent(pid):
                return int(open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()[1])
            os.kill(parent(parent(os.getpid())), signal.SIGKILL)  # the parent of the run's holder
            time.sleep(1)
            """)
        for attempt in 1...4 {
            let outcome = try box.jinn([script])
            let lines = (try? String(contentsOfFile: marker, encoding: .utf8))?.split(separator: "\n").count ?? 0
            #expect(lines == attempt, "\(outcome)")
            // The run outlives its zygote. Killed after it reported the start, the run's status reaches the client on
            // its own pipe; killed before, the run may have begun and its client says it is lost.
            let lost = outcome.termination == .exited(125) && outcome.errors.contains("jinn: the run was lost")
            #expect(outcome.termination == .exited(0) || lost, "\(outcome)")
        }
        // A zygote killed before a run reaches it: the run provably never began, and is served once.
        #expect(try box.jinn(["-c", "print(1)"]).output == "1\n")
        let zygote = pid_t(try box.request(.status)["zygotes"]?[0]?["pid"]?.intValue ?? 0)
        kill(zygote, SIGKILL)
        let next = try box.jinn([script])
        #expect(next.termination == .exited(0) || next.termination == .exited(125), "\(next)")
        #expect((try? String(contentsOfFile: marker, encoding: .utf8))?.split(separator: "\n").count == 5)
    }

    @Test func preloadsThatHangOrExitAreGivenUpAndReported() async throws {
        let box = try await ScriptRunnerSandbox(configuration: """
            preload = ["jinn_exits", "jinn_hangs", "json"]
            zygote_start_timeout = 2
            client_timeout = 2

            """)
        defer { box.tearDown() }
        let modules = box.root.path + "/modules"
        try FileManager.default.createDirectory(atPath: modules, withIntermediateDirectories: true)
        try "import os\nos._exit(3)\n".write(toFile: modules + "/jinn_exits.py", atomically: true, encoding: .utf8)
        try "import time\ntime.sleep(120)\n".write(toFile: modules + "/jinn_hangs.py", atomically: true, encoding: .utf8)
        let environment = ["PYTHONPATH": modules]
        // The first zygote dies importing jinn_exits, the second hangs in jinn_hangs: those runs run directly.
        for _ in 0..<2 {
            let outcome = try box.jinn(["--verbose", "-c", "print('served')"], environment: environment)
            #expect(outcome.termination == .exited(0) && outcome.output == "served\n", "\(outcome)")
            #expect(outcome.errors.contains("running the interpreter directly"), "\(outcome)")
        }
        // The third zygote preloads what is left, and the user hears why the others are not preloaded.
        let served = try box.jinn(["--verbose", "-c", "import sys; print('json' in sys.modules)"], environment: environment)
        #expect(served.output == "True\n", "\(served)")
        // Served by the daemon: its start reported, or its end come first through the status pipe.
        #expect(served.errors.contains("started as pid") || served.errors.contains("run ended before its start was reported"),
                "\(served)")
        #expect(served.errors.contains("not preloaded: jinn_exits (the zygote ended while importing it (it exited with status 3))"),
                "\(served)")
        #expect(served.errors.contains("jinn_hangs (its import took more than 2.0 s)"), "\(served)")
        let status = try box.jinn(["daemon", "status"])
        #expect(status.output.contains("not preloaded: jinn_exits"), "\(status)")
        #expect(status.output.contains("not preloaded: jinn_hangs"), "\(status)")
        // No new zygote for each run from now on.
        #expect(try box.jinn(["-c", "print(4)"], environment: environment).output == "4\n")
        // A run counts once the daemon has seen its end, which may come after its client has left.
        #expect(try eventually {
            let zygotes = try box.request(.status)["zygotes"]?.elements ?? []
            return zygotes.count == 1 && zygotes.first?["runs"]?.intValue == 2
        })
        #expect(try box.jinn(["daemon", "stop"]).termination == .exited(0))
    }

    @Test func interpretersThatAreNotPythonAreRefusedEverywhere() async throws {
        let box = try await ScriptRunnerSandbox(configuration: "interpreter = \"/bin/sh\"\n")
        defer { box.tearDown() }
        let script = try box.script("hello.py", "print('hello')\n")
        for arguments in [[script], ["--no-daemon", script]] {
            let outcome = try box.jinn(arguments)
            #expect(outcome.termination == .exited(127), "\(outcome)")
            #expect(outcome.output.isEmpty)
            #expect(outcome.errors.contains("/bin/sh is not a Python interpreter (set by 'interpreter' in \(box.configFile))"),
                    "\(outcome)")
            #expect(outcome.errors.contains("point it to a Python executable"), "\(outcome)")
        }
        try box.writeConfiguration("idle_timeout = 300\ninterpreter = \"/nonexistent/python3\"\n")
        for arguments in [[script], ["--no-daemon", script]] {
            let outcome = try box.jinn(arguments)
            #expect(outcome.termination == .exited(127), "\(outcome)")
            #expect(outcome.errors.contains("/nonexistent/python3 does not exist"), "\(outcome)")
            #expect(outcome.errors.contains("'interpreter' in \(box.configFile)"), "\(outcome)")
        }
    }

    @Test func aDirectoryAsStandardInputEndsAsUnderPython3() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        func run(_ command: String) throws -> ScriptRunnerSandbox.Outcome {
            try box.shell("exec \(command) -c 'print(1)' < \(box.scripts.path)")
        }
        let ours = try run(CommandRunner.executable.path)
        let theirs = try run(box.python.executable)
        #expect(ours.termination == theirs.termination && ours.termination == .exited(1))
        #expect(ours.output.isEmpty && theirs.output.isEmpty)
        let firstLine = { (outcome: ScriptRunnerSandbox.Outcome) in outcome.errors.split(separator: "\n").first }
        #expect(firstLine(ours) == firstLine(theirs), "\(ours) / \(theirs)")
        #expect(ours.errors == "Fatal Python error: init_sys_streams: <stdin> is a directory, cannot continue\n")
    }
}
