import Foundation
import Testing

/// A run's own parent: its process group and session as under `python3`, its `os.getppid()`, and runs that never
/// touch each other through their parents.
@Suite(.serialized)
struct RunHolderTests {
    /// What a script sees of its session, group and parent, and what `os.setsid()` and `os.setpgrp()` do (each tried
    /// in a child of its own, so that one does not decide the other).
    static let facts = """
        import os, sys
        def attempt(call):
            pid = os.fork()
            if pid == 0:
                try:
                    call()
                    os._exit(0)
                except OSError as error:
                    os._exit(error.errno)
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        print('session leader', os.getsid(0) == os.getpid())
        print('group leader', os.getpgrp() == os.getpid())
        print('parent is the shell', os.getppid() == int(sys.argv[1]))
        print('setsid', attempt(os.setsid))
        print('setpgrp', attempt(os.setpgrp))
        """

    @Test func aPipedRunLeadsNeitherSessionNorGroupAndItsParentIsTheCallers() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("facts.py", Self.facts)
        let python = box.python.executable
        // `; exit $?` keeps the shell from replacing itself with the last command.
        let jinn = try box.jinnShell("jinn facts.py $$; exit $?")
        let expected = try box.jinnShell("\(python) facts.py $$; exit $?")
        #expect(jinn == expected)
        #expect(jinn.output == """
            session leader False
            group leader False
            parent is the shell True
            setsid 0
            setpgrp 0

            """, "\(jinn)")
        // Again, from a warm zygote's spare.
        #expect(try box.jinnShell("jinn facts.py $$; exit $?") == expected)
    }

    @Test func aRunThatSignalsItsParentTouchesNoOtherRun() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let go = box.root.path + "/go"
        let waiter = try box.script("waiter.py", """
            import os, time
            print('waiting', flush=True)
            while not os.path.exists(\(go.debugDescription)):
                time.sleep(0.01)
            print('the other run went on')
            """)
        // The real parent, as a C program's getppid() gives it.
        let signaller = try box.script("signaller.py", """
            import os, signal
            parent = int(open('/proc/self/stat').read().rsplit(')', 1)[1].split()[1])
            for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGUSR1):
                os.kill(parent, number)
            print('signalled', os.getppid() != parent)
            """)
        #expect(try box.jinn(["-c", "pass"]).termination == .exited(0))
        let zygote = try box.request(.status)["zygotes"]?[0]?["pid"]?.intValue
        let other = try box.startJinn([waiter])
        #expect(other.readOutput(until: "waiting").contains("waiting"))
        for _ in 0..<3 {
            let outcome = try box.jinn([signaller])
            #expect(outcome.termination == .exited(0), "\(outcome)")
            #expect(outcome.output == "signalled True\n", "\(outcome)")
        }
        FileManager.default.createFile(atPath: go, contents: nil)
        let ended = other.wait()
        #expect(ended.termination == .exited(0), "\(ended)")
        #expect(ended.output == "waiting\nthe other run went on\n")
        #expect(try box.request(.status)["zygotes"]?[0]?["pid"]?.intValue == zygote)
    }

    @Test func aRunOutlivesItsZygoteAndItsStatusStillReachesTheClient() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let go = box.root.path + "/go"
        let script = try box.script("outlive.py", """
            import os, sys, time
            print('running', os.getpid(), flush=True)
            while not os.path.exists(\(go.debugDescription)):
                time.sleep(0.01)
            print('done')
            sys.exit(7)
            """)
        #expect(try box.jinn(["-c", "pass"]).termination == .exited(0))
        let zygote = pid_t(try box.request(.status)["zygotes"]?[0]?["pid"]?.intValue ?? 0)
        guard zygote > 0 else { Issue.record("no zygote"); return }
        let client = try box.startJinn([script])
        let started = client.readOutput(until: "\n")
        let run = pid_t(started.split(separator: " ").last.map { String($0.prefix { $0.isNumber }) } ?? "") ?? 0
        #expect(run > 0, "\(started)")
        kill(zygote, SIGKILL)
        #expect(eventually { !isRunning(zygote) })
        #expect(isRunning(run))
        FileManager.default.createFile(atPath: go, contents: nil)
        let ended = client.wait()
        #expect(ended.termination == .exited(7), "\(ended)")
        #expect(ended.output == "running \(run)\ndone\n", "\(ended)")
        // And a run killed by a signal, with its zygote gone: the holder tells its client.
        try FileManager.default.removeItem(atPath: go)
        #expect(try box.jinn(["-c", "pass"]).termination == .exited(0))
        let second = pid_t(try box.request(.status)["zygotes"]?[0]?["pid"]?.intValue ?? 0)
        let killed = try box.startJinn([script])
        let line = killed.readOutput(until: "\n")
        let victim = pid_t(line.split(separator: " ").last.map { String($0.prefix { $0.isNumber }) } ?? "") ?? 0
        guard victim > 0, second > 0 else { Issue.record("no run or zygote: \(line)"); return }
        kill(second, SIGKILL)
        #expect(eventually { !isRunning(second) })
        kill(victim, SIGKILL)
        #expect(killed.wait().termination == .signaled(SIGKILL))
    }
}
