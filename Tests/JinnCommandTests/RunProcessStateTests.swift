import Foundation
import Jinn
import Testing

/// `jinn` against `python3` on what a run inherits from its caller besides descriptors: ignored signals and the
/// signal mask, niceness, CPU affinity and resource limits, and a working directory deleted under the caller.
@Suite(.serialized)
struct RunProcessStateTests {
    static let showState = """
        import os, resource, signal, sys, time
        names = ("SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGCHLD", "SIGUSR1", "SIGUSR2")
        print("ignored", [name for name in names if signal.getsignal(getattr(signal, name)) == signal.SIG_IGN])
        print("blocked", sorted(number.name for number in signal.pthread_sigmask(signal.SIG_BLOCK, [])))
        print("nice", os.nice(0), "cpus", sorted(os.sched_getaffinity(0)))
        print("limits", [resource.getrlimit(number) for number in range(16)])
        """

    @Test func underNohupNeitherTheClientNorTheRunDiesOfSIGHUP() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("state.py", Self.showState)
        // The hang-up goes to the process the shell started: python3 itself, or jinn's client.
        try box.script("hangup.py", """
            import os, signal, sys, time
            os.kill(int(sys.argv[1]), signal.SIGHUP)
            os.kill(os.getpid(), signal.SIGHUP)
            time.sleep(0.3)
            print("still here", signal.getsignal(signal.SIGHUP))
            """)
        let (jinn, python) = try box.shellBothWays("exec nohup PROGRAM hangup.py $$ 2>&1")
        #expect(jinn == python, "jinn \(jinn)\npython3 \(python)")
        #expect(jinn.output.hasPrefix("still here"), "\(jinn)")
        let (jinnState, pythonState) = try box.shellBothWays("nohup PROGRAM state.py 2>&1")
        #expect(jinnState == pythonState, "jinn \(jinnState)\npython3 \(pythonState)")
        #expect(try box.hasServed(2))
    }

    @Test func aBackgroundJobsIgnoredSIGINTStaysIgnored() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("state.py", Self.showState)
        try box.script("interrupt.py", """
            import os, signal
            os.kill(os.getpid(), signal.SIGINT)
            print("not interrupted", signal.getsignal(signal.SIGINT))
            """)
        for command in ["trap '' INT; PROGRAM interrupt.py & wait $!", "trap '' INT TERM; PROGRAM state.py & wait $!"] {
            let (jinn, python) = try box.shellBothWays(command)
            #expect(jinn == python, "\(command): jinn \(jinn)\npython3 \(python)")
        }
    }

    @Test func theBlockedMaskAndAnIgnoredSIGCHLDAreInherited() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("state.py", Self.showState)
        try box.script("children.py", """
            import os, time
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            time.sleep(0.2)
            try:
                os.waitpid(pid, 0)
                print("waited for the child")
            except ChildProcessError:
                print("the kernel reaped the child")
            """)
        // A launcher that blocks signals and ignores SIGCHLD, then execs its argument, as a supervisor might.
        try box.script("launch.py", """
            import os, signal, sys
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1, signal.SIGTERM])
            signal.signal(signal.SIGCHLD, signal.SIG_IGN)
            os.execv(sys.argv[1], sys.argv[1:])
            """)
        for script in ["state.py", "children.py"] {
            let (jinn, python) = try box.shellBothWays("\(box.python.executable) launch.py PROGRAM \(script)")
            #expect(jinn == python, "\(script): jinn \(jinn)\npython3 \(python)")
            #expect(jinn.termination == .exited(0))
        }
        #expect(try box.hasServed(2))
    }

    @Test func niceAffinityAndLimitsReachTheRun() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("state.py", Self.showState)
        try box.script("opens.py", """
            import os
            opened = []
            try:
                while True:
                    opened.append(os.open(os.devnull, os.O_RDONLY))
            except OSError as error:
                print(len(opened), "opened, then", error.strerror)
            """)
        // The daemon starts under the limits of this first run; those of each run are its caller's.
        #expect(try box.jinn(["state.py"]).termination == .exited(0))
        for command in ["ulimit -n 64; nice -n 5 taskset -c 0 PROGRAM state.py", "ulimit -n 64; PROGRAM opens.py",
                        "ulimit -c 0; ulimit -S -t 100; PROGRAM state.py"] {
            let (jinn, python) = try box.shellBothWays(command)
            #expect(jinn == python, "\(command): jinn \(jinn)\npython3 \(python)")
            #expect(jinn.termination == .exited(0))
        }
        #expect(try box.hasServed(4))
    }

    @Test func aLimitOnAddressSpaceOrDataRunsTheInterpreterDirectly() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        // How much a script can allocate under the limit: a warm run's mappings would include its zygote's.
        try box.script("grow.py", """
            chunks = []
            try:
                while len(chunks) < 64:
                    chunks.append(bytearray(16 << 20))
            except MemoryError:
                pass
            print(len(chunks), "chunks of 16 MiB")
            """)
        #expect(try box.jinn(["grow.py"]).output == "64 chunks of 16 MiB\n")
        for (limit, name) in [("ulimit -v 400000", "RLIMIT_AS"), ("ulimit -d 400000", "RLIMIT_DATA")] {
            let (jinn, python) = try box.shellBothWays(limit + "; PROGRAM grow.py")
            #expect(jinn == python, "\(limit): jinn \(jinn)\npython3 \(python)")
            #expect(jinn.output != "64 chunks of 16 MiB\n", "\(limit): \(jinn)")
            let verbose = try box.jinnShell(limit + "; \(CommandRunner.executable.path) --verbose grow.py")
            #expect(verbose.errors.contains("running the interpreter directly: \(name) is limited (409600000), and a "
                                            + "warm run's mappings would include its zygote's"), "\(verbose)")
        }
        #expect(try box.hasServed(1))
    }

    @Test func aDaemonStartedUnderTighterLimitsIsReplacedByALooserCaller() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("state.py", Self.showState)
        let jinn = CommandRunner.executable.path
        // The daemon starts under the first run's limits and niceness.
        let first = try box.jinnShell("ulimit -n 512; nice -n 10 \(jinn) state.py")
        #expect(first.termination == .exited(0), "\(first)")
        let tight = try #require(box.request(.status)["pid"]?.intValue)
        // A caller whose hard limits are all at least the daemon's, and its niceness no higher, replaces it: its
        // run, and every later one, is served warm by a daemon with its limits.
        let replacing = try box.jinnShell("ulimit -n 768; \(jinn) --verbose state.py")
        let python = try box.jinnShell("ulimit -n 768; \(box.python.executable) state.py")
        #expect(replacing.output == python.output && replacing.termination == python.termination,
                "jinn \(replacing)\npython3 \(python)")
        #expect(replacing.errors.contains("replacing the daemon \(tight): the caller's hard limit RLIMIT_NOFILE (768) "
                                          + "is above the daemon's (512)"), "\(replacing)")
        let wider = try #require(box.request(.status)["pid"]?.intValue)
        #expect(wider != tight)
        #expect(try box.hasServed(1))
        let (again, againPython) = try box.shellBothWays("ulimit -n 768; PROGRAM state.py")
        #expect(again == againPython, "jinn \(again)\npython3 \(againPython)")
        #expect(try box.hasServed(2))
        // A caller that is wider in one limit and narrower in another would only narrow the daemon for the next
        // caller: it runs the interpreter directly.
        let crossed = "ulimit -f 1073741824; ulimit -n 1024; "
        let (direct, directPython) = try box.shellBothWays(crossed + "PROGRAM state.py")
        #expect(direct == directPython, "jinn \(direct)\npython3 \(directPython)")
        let verbose = try box.jinnShell(crossed + "\(jinn) --verbose state.py")
        #expect(verbose.errors.contains("running the interpreter directly: the daemon cannot run it (direct: the "
                                        + "caller's hard limit RLIMIT_NOFILE (1024) is above the daemon's (768)"),
                "\(verbose)")
        #expect(try box.request(.status)["pid"]?.intValue == wider)
        // A descriptor opened before the caller lowered its limit is past the daemon's limit too.
        try box.script("fds.py", RunDescriptorTests.showDescriptors)
        let (pastJinn, pastPython) = try box.shellBothWays("exec 900</dev/null; ulimit -n 512; PROGRAM fds.py 900")
        #expect(pastJinn == pastPython && pastJinn.output == "900 open True\n", "jinn \(pastJinn)\npython3 \(pastPython)")
        let pastVerbose = try box.jinnShell("exec 900</dev/null; ulimit -n 512; \(jinn) --verbose fds.py 900")
        #expect(pastVerbose.errors.contains("the caller's descriptor 900 is beyond the daemon's descriptor limit (768)"),
                "\(pastVerbose)")
        #expect(try box.hasServed(2))
    }

    @Test func aDeletedWorkingDirectoryBehavesAsUnderPython3() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let absolute = try box.script("where.py", """
            import os, sys
            try:
                print(os.getcwd())
            except FileNotFoundError as error:
                print("getcwd:", error)
            print(sys.path[0], os.path.exists("left.txt"), os.listdir("."))
            """)
        let code = "import os, sys; print(repr(sys.path[0]), os.path.exists(\"left.txt\")); os.getcwd()"
        let enter = "mkdir -p gone && cd gone && touch left.txt && rm left.txt && rmdir ../gone && "
        var count = 0
        for command in ["PROGRAM \(absolute)", "PROGRAM where.py", "PROGRAM -c '\(code)'", "PROGRAM -m where"] {
            let (jinn, python) = try box.shellBothWays(enter + command)
            #expect(jinn == python, "\(command): jinn \(jinn)\npython3 \(python)")
            count += 1
            #expect(try box.hasServed(count), "\(command) was not served by the daemon")
        }
    }

    @Test func aDirectRunInADeletedDirectoryFindsTheInterpreterBehindAShimOrSaysWhatFailed() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        // A version manager's shim: it runs the interpreter, but not from a directory it cannot resolve.
        try box.script("shims/python3", """
            #!/bin/sh
            here=$(pwd -P 2>/dev/null) && [ -d "$here" ] || { echo "shim: cannot change working directory" >&2; exit 1; }
            exec \(box.python.executable) "$@"
            """)
        try box.script("broken/python3", "#!/bin/sh\necho 'shim: no interpreter configured' >&2\nexit 1\n")
        chmod(box.scripts.path + "/shims/python3", 0o755)
        chmod(box.scripts.path + "/broken/python3", 0o755)
        let code = "import os, sys; print(sys.executable); os.getcwd()"
        let enter = "mkdir -p gone && cd gone && rmdir ../gone && "
        let shimmed = try box.jinnShell(enter + "PATH=\(box.scripts.path)/shims:$PATH "
                                        + "\(CommandRunner.executable.path) --no-daemon -c '\(code)'")
        let python = try box.jinnShell(enter + "\(box.python.executable) -c '\(code)'")
        #expect(shimmed == python, "jinn \(shimmed)\npython3 \(python)")
        let broken = try box.jinnShell(enter + "PATH=\(box.scripts.path)/broken:/usr/bin:/bin "
                                       + "\(CommandRunner.executable.path) --no-daemon -c 'print(1)'")
        #expect(broken.termination == .exited(127))
        #expect(broken.errors.contains("jinn: the working directory no longer exists, and "
                                       + "\(box.scripts.path)/broken/python3 did not run from /"), "\(broken)")
        #expect(broken.errors.contains("run jinn from an existing directory"))
    }
}
