import Foundation
import Jinn
import JinnWire
import Testing

/// `jinn` against `python3` on the descriptors a run has: every one the caller's shell passes, at its number, a
/// closed one closed, nothing of Jinn's for the run's own children; and the run's status straight from the run.
@Suite(.serialized)
struct RunDescriptorTests {
    /// Prints, for each descriptor number in `sys.argv[1:]` (or 0 to 9), whether it is open and inheritable, and
    /// what it reads when it is a pipe the shell made for `<(…)`.
    static let showDescriptors = """
        import os, sys
        numbers = [int(word) for word in sys.argv[1:] if word.isdigit()] or range(10)
        for fd in numbers:
            try:
                info = os.fstat(fd)
            except OSError as error:
                print(fd, "closed", error.errno, file=sys.__stdout__ or sys.__stderr__)
                continue
            print(fd, "open", os.get_inheritable(fd), file=sys.__stdout__ or sys.__stderr__)
        if os.path.exists("/dev/fd/63"):
            with open("/dev/fd/63") as substituted:
                print("63 reads", substituted.read().strip())
        """

    @Test func aProcessSubstitutionAndARedirectedDescriptorReachTheRunAtTheirNumbers() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("fds.py", Self.showDescriptors)
        let (jinn, python) = try box.shellBothWays("PROGRAM fds.py 0 1 2 3 4 5 6 63 <(echo hi) 3>&1 5</dev/null")
        #expect(jinn == python, "jinn \(jinn)\npython3 \(python)")
        #expect(jinn.output.contains("3 open True") && jinn.output.contains("63 reads hi"))
        // The daemon served it: no direct run of the interpreter.
        #expect(try box.hasServed(1))
    }

    @Test func aClosedStandardDescriptorIsClosedInTheRun() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("fds.py", Self.showDescriptors)
        try box.script("opens.py", """
            import os, sys
            fd = os.open(os.devnull, os.O_RDONLY)
            print("a new descriptor is", fd, "stderr is", sys.stderr, file=sys.stdout or sys.__stderr__)
            """)
        var count = 0
        for command in ["PROGRAM fds.py 2>&-", "PROGRAM fds.py <&-", "PROGRAM fds.py 2>&1 1>&-",
                        "PROGRAM opens.py 2>&-", "PROGRAM opens.py <&- 2>&-"] {
            let (jinn, python) = try box.shellBothWays(command)
            #expect(jinn == python, "\(command): jinn \(jinn)\npython3 \(python)")
            count += 1
            #expect(try box.hasServed(count), "\(command) was not served by the daemon")
        }
    }

    @Test func theRunsChildrenInheritWhatPython3sChildrenWould() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("children.py", """
            import subprocess
            subprocess.run(["ls", "/proc/self/fd"], close_fds=False)
            """)
        for command in ["PROGRAM children.py", "PROGRAM children.py 7</dev/null 2>&-", "PROGRAM children.py 3>&1"] {
            let (jinn, python) = try box.shellBothWays(command)
            #expect(jinn == python, "\(command): jinn \(jinn)\npython3 \(python)")
        }
    }

    @Test func moreDescriptorsThanARunCanBeGivenRunTheInterpreterDirectly() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("fds.py", Self.showDescriptors)
        let many = "for n in $(seq 10 90); do eval \"exec $n</dev/null\"; done; "
        let (jinn, python) = try box.shellBothWays(many + "PROGRAM fds.py 10 50 90 91")
        #expect(jinn == python, "jinn \(jinn)\npython3 \(python)")
        #expect(jinn.output.contains("90 open True"))
        let verbose = try box.jinnShell(many + CommandRunner.executable.path + " --verbose fds.py 90")
        #expect(verbose.errors.contains("running the interpreter directly: 84 descriptors are open, more than the "
                                        + "\(RunDescriptors.maximumCount - 3) a run of the daemon can be given"),
                "\(verbose)")
    }

    @Test func aProcessTheScriptForksEndsWithoutEndingTheClient() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        // The forked child holds the status pipe too; its end is not the run's.
        try box.script("forks.py", """
            import os, sys, time
            pid = os.fork()
            if pid == 0:
                print("child ends")
                sys.exit(9)
            os.waitpid(pid, 0)
            time.sleep(0.2)
            print("parent ends")
            sys.exit(4)
            """)
        let jinn = try box.jinn(["forks.py"])
        let python = try box.python3(["forks.py"])
        #expect(jinn == python, "jinn \(jinn)\npython3 \(python)")
        #expect(jinn.termination == .exited(4))
    }

    @Test func whatARunLeavesRunningKeepsRunningAsUnderPython3() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        // A child in the run's process group outlives the run: its client leaves on the status pipe's word, and the
        // daemon must not take that for a client that went away and end the group.
        let marker = box.root.path + "/survived"
        try box.script("leaves.py", """
            import subprocess
            subprocess.Popen(["/bin/sh", "-c", "sleep 0.5; echo yes > \(marker)"])
            print("left it running")
            """)
        let outcome = try box.jinn(["leaves.py"])
        #expect(outcome.termination == .exited(0) && outcome.output == "left it running\n", "\(outcome)")
        #expect(eventually { FileManager.default.fileExists(atPath: marker) })
        #expect(!box.log().contains("the client went away; terminating the run"))
    }

    @Test func aRunThatOutlivesItsZygoteStillEndsItsClientWithItsOwnStatus() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        // The run leaves the zygote's death behind (no parent-death signal), then kills the zygote: the daemon
        // reports the run lost, and the run's status pipe still tells how it ends.
        try box.script("survives.py", """
            import ctypes, os, signal, sys, time
            ctypes.CDLL(None).prctl(1, 0)
            def parent(pid):
                return int(open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[1])
            zygote = parent(parent(os.getpid()))  # the parent of the run's holder
            os.kill(zygote, signal.SIGKILL)
            def gone(pid):
                try:
                    return "zombie" in open("/proc/%d/status" % pid).read()
                except FileNotFoundError:  # reaped already
                    return True
            while not gone(zygote):
                time.sleep(0.01)
            time.sleep(0.2)
            print("survived")
            sys.exit(3)
            """)
        let outcome = try box.jinn(["survives.py"])
        #expect(outcome.termination == .exited(3), "\(outcome)")
        #expect(outcome.output == "survived\n", "\(outcome)")
    }
}
