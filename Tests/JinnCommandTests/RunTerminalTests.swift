import Foundation
import Testing

/// A run started from a terminal: its own controlling terminal, job control, window size and keystrokes, each
/// against `python3` under the same terminal and shell.
@Suite(.serialized)
struct RunTerminalTests {
    /// What a script finds of its terminal, its process group and its session.
    static let terminalFacts = """
        import os
        print('foreground', os.tcgetpgrp(0) == os.getpgrp(), 'group leader', os.getpgrp() == os.getpid(),
              'session leader', os.getsid(0) == os.getpid())
        with open('/dev/tty', 'w') as tty:
            tty.write('/dev/tty opens\\n')
        print('streams', os.isatty(0), os.isatty(1), os.isatty(2), os.ttyname(0) == os.ttyname(1))
        print('size', tuple(os.get_terminal_size()))
        for name in ('setsid', 'setpgrp'):
            try:
                getattr(os, name)()
                print(name, 'ok')
            except OSError as error:
                print(name, error.errno)
        """

    @Test func theRunHasAControllingTerminalAsUnderAnInteractiveShell() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("tty.py", Self.terminalFacts)
        let (jinn, python3) = try TerminalDriver(box: box).compare("PROGRAM tty.py; echo status $?")
        #expect(jinn == python3)
        #expect(jinn.output == """
            foreground True group leader True session leader False
            /dev/tty opens
            streams True True True True
            size (80, 24)
            setsid 1
            setpgrp ok
            status 0

            """, "\(jinn)")
    }

    /// A shell without job control (a script) leaves python3 in the script's process group: the run is in one it
    /// does not lead either, so that it may start a session of its own. Under an interactive shell the script's
    /// group is its job; a script started by the terminal leads the terminal's session, and its group is orphaned.
    @Test(arguments: [true, false])
    func underAShellWithoutJobControlTheRunDoesNotLeadItsGroup(underAnInteractiveShell: Bool) async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("tty.py", Self.terminalFacts)
        let driver = TerminalDriver(box: box)
        let line = "bash -c 'PROGRAM tty.py; echo status $?'"
        func session(_ program: String) throws -> TerminalDriver.Session {
            underAnInteractiveShell
                ? try driver.run(line: line, program: program, [.expect("status")])
                : try driver.run(["bash", "-c", "\(program) tty.py; echo status $?"], [.expect("status")])
        }
        let (jinn, python3) = (try session(CommandRunner.executable.path), try session(box.python.executable))
        #expect(jinn == python3)
        // After os.setsid() the process leads a session, which may not change its group.
        #expect(jinn.output.hasPrefix("""
            foreground True group leader False session leader False
            /dev/tty opens
            streams True True True True
            size (80, 24)
            setsid ok
            setpgrp 1
            status 0

            """), "\(jinn)")
    }

    /// A terminal emulator's command (or tmux's, or `ssh -t`'s) leads the terminal's session.
    @Test func aRunStartedByTheTerminalLeadsTheSessionOfItsOwnTerminal() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("tty.py", Self.terminalFacts)
        let driver = TerminalDriver(box: box)
        let jinn = try driver.run([CommandRunner.executable.path, "tty.py"])
        let python3 = try driver.run([box.python.executable, "tty.py"])
        #expect(jinn == python3)
        #expect(jinn.output.hasPrefix("foreground True group leader True session leader True\n"), "\(jinn)")
        #expect(jinn.output.hasSuffix("setsid 1\nsetpgrp 1\n"), "\(jinn)")
    }

    /// The kernel stops no orphaned process group for Ctrl-Z: a script that leads the terminal's session, or a
    /// program that does, goes on as under python3 (the run used to stop with no one to continue it).
    @Test(arguments: [true, false])
    func ctrlZIsIgnoredWhereTheShellsGroupIsOrphaned(throughAScript: Bool) async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("nap.py", "import time\nprint('ready', flush=True)\ntime.sleep(1)\nprint('resumed')\n")
        let driver = TerminalDriver(box: box)
        func session(_ program: String) throws -> TerminalDriver.Session {
            let command = throughAScript ? ["bash", "-c", "\(program) nap.py; echo status $?"] : [program, "nap.py"]
            return try driver.run(command, [.expect("ready"), .type("\u{1a}"), .expect("resumed")])
        }
        let (jinn, python3) = (try session(CommandRunner.executable.path), try session(box.python.executable))
        #expect(jinn == python3)
        #expect(jinn.status == 0 && jinn.output.contains("resumed\n"), "\(jinn)")
    }

    @Test func ctrlZStopsTheRunAndTheShellSees148() async throws {
        let (jinn, python3) = try await stopAndResume("PROGRAM stop.py; echo status $?; fg; echo status $?",
                                                      until: "resumed")
        #expect(jinn == python3)
        #expect(jinn.output.contains("Stopped                 PROGRAM stop.py\nstatus 148\n"), "\(jinn)")
        #expect(jinn.output.hasSuffix("resumed\nstatus 0\n"), "\(jinn)")
    }

    @Test func ctrlZStopsTheShellScriptThatStartedTheRunAndFgResumesBoth() async throws {
        // The interactive shell's job is the script; the run is in the script's process group.
        let (jinn, python3) = try await stopAndResume(
            "bash -c 'PROGRAM stop.py; echo after $?'; echo status $?; fg; echo status $?", until: "after 0")
        #expect(jinn == python3)
        #expect(jinn.output.contains("status 148\n") && jinn.output.hasSuffix("resumed\nafter 0\nstatus 0\n"),
                "\(jinn)")
    }

    /// Runs `line` under an interactive shell with jinn, then with python3, as `PROGRAM`: a script that waits for a
    /// file is stopped with Ctrl-Z once ready, the shell reports 148, the file appears, and the session goes on
    /// until `last` shows.
    private func stopAndResume(_ line: String, until last: String) async throws
        -> (jinn: TerminalDriver.Session, python3: TerminalDriver.Session)
    {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let go = box.root.path + "/go"
        try box.script("stop.py", """
            import os, time
            print('ready', flush=True)
            while not os.path.exists(\(go.debugDescription)):
                time.sleep(0.01)
            print('resumed')
            """)
        let steps: [TerminalDriver.Step] = [.expect("ready"), .type("\u{1a}"), .expect("status 148"), .touch(go),
                                            .expect(last)]
        let driver = TerminalDriver(box: box)
        let jinn = try driver.run(line: line, program: CommandRunner.executable.path, steps)
        try FileManager.default.removeItem(atPath: go)
        let python3 = try driver.run(line: line, program: box.python.executable, steps)
        try? FileManager.default.removeItem(atPath: go)
        return (jinn, python3)
    }

    @Test func aBackgroundRunThatReadsTheTerminalIsStoppedByTTIN() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("read.py", "import sys\nprint('read', repr(sys.stdin.readline()))\n")
        // The shell waits until its job is stopped, shows it, and brings it to the foreground, where it reads.
        let line = """
            PROGRAM read.py & job=$!; until ps -o stat= -p $job | grep -q T; do sleep 0.01; done; jobs -l | \
            sed "s/$job/PID/"; echo resuming; fg; echo status $?
            """
        let steps: [TerminalDriver.Step] = [.expect("resuming"), .type("typed\n"), .expect("status")]
        let (jinn, python3) = try TerminalDriver(box: box).compare(line, steps)
        for session in [jinn, python3] {
            #expect(session.output.contains("PID Stopped (tty input)     PROGRAM read.py\n"), "\(session)")
            #expect(session.output.contains("read 'typed\\n'\nstatus 0\n"), "\(session)")
            #expect(session.failure == nil, "\(session)")
        }
    }

    @Test func theRunSeesTheWindowChange() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("winch.py", """
            import os, signal
            seen = []
            signal.signal(signal.SIGWINCH, lambda number, frame: seen.append(tuple(os.get_terminal_size())))
            print('ready', tuple(os.get_terminal_size()), flush=True)
            while not seen:
                signal.pause()
            print('resized', seen[0])
            """)
        let steps: [TerminalDriver.Step] = [.expect("ready"), .resize(rows: 30, columns: 100), .expect("resized")]
        let (jinn, python3) = try TerminalDriver(box: box).compare("PROGRAM winch.py", steps)
        #expect(jinn == python3)
        #expect(jinn.output == "ready (80, 24)\nresized (100, 30)\n", "\(jinn)")
    }

    @Test func ctrlCInterruptsTheRun() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("sleep.py", "import time\nprint('ready', flush=True)\ntime.sleep(60)\n")
        let steps: [TerminalDriver.Step] = [.expect("ready"), .type("\u{03}")]
        let (jinn, python3) = try TerminalDriver(box: box).compare("PROGRAM sleep.py; echo status $?", steps)
        // The interrupt ends the shell's command line too, as it does when python3 dies of SIGINT. Where the
        // traceback points depends on how far the script got past its print.
        for session in [jinn, python3] {
            #expect(session.output.hasSuffix("\nKeyboardInterrupt\n\n"), "\(session)")
            #expect(!session.output.contains("status"), "\(session)")
        }
        #expect(jinn.status == python3.status && jinn.failure == python3.failure, "\(jinn) against \(python3)")
    }

    @Test func ctrlCEndsTheShellScriptThatStartedTheRun() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("sleep.py", "import time\nprint('ready', flush=True)\ntime.sleep(60)\n")
        let driver = TerminalDriver(box: box)
        // A shell without job control (a script) shares the run's process group, so the interrupt reaches it too.
        func session(_ program: String) throws -> TerminalDriver.Session {
            try driver.run(["bash", "-c", "\(program) sleep.py; echo after $?"], [.expect("ready"), .type("\u{03}")])
        }
        let (jinn, python3) = (try session(CommandRunner.executable.path), try session(box.python.executable))
        #expect(jinn.status == python3.status && jinn.status == -Int(SIGINT), "\(jinn) against \(python3)")
        #expect(!jinn.output.contains("after") && jinn.output.hasSuffix("\nKeyboardInterrupt\n"), "\(jinn)")
    }

    @Test func anInteractiveShellInTheRunHasJobControl() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("shell.py", """
            import subprocess
            done = subprocess.run(['bash', '--norc', '-i', '-c',
                                   'case $- in *m*) echo job control;; *) echo none;; esac; sleep 0 & wait; jobs'])
            print('bash', done.returncode)
            """)
        var (jinn, python3) = try TerminalDriver(box: box).compare("PROGRAM shell.py")
        jinn.output.replace(/\[1\] \d+/, with: "[1] PID")
        python3.output.replace(/\[1\] \d+/, with: "[1] PID")
        #expect(jinn == python3)
        #expect(jinn.output.hasPrefix("job control\n"), "\(jinn)")
        #expect(jinn.output.hasSuffix("bash 0\n"), "\(jinn)")
    }

    @Test func keystrokesTypedAheadOfARunBusyWritingWaitWithoutStoppingItsOutput() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        // The run writes far more than a terminal buffers before it reads any of what was typed meanwhile, which is
        // itself more than the terminal's input queue holds.
        try box.script("busy.py", """
            import sys, termios, time
            modes = termios.tcgetattr(0)
            modes[3] &= ~termios.ECHO
            termios.tcsetattr(0, termios.TCSANOW, modes)
            print('ready', flush=True)
            time.sleep(0.5)
            for number in range(3000):
                print('%04d' % number, 'x' * 95)
            lines = 0
            for line in sys.stdin:
                if line == 'end\\n':
                    break
                lines += 1
            print(lines, 'lines read')
            """)
        let typed = String(repeating: String(repeating: "y", count: 99) + "\n", count: 1000) + "end\n"
        let steps: [TerminalDriver.Step] = [.expect("ready"), .type(typed)]
        let (jinn, python3) = try TerminalDriver(box: box).compare("PROGRAM busy.py; echo status $?", steps)
        #expect(jinn.failure == nil && jinn.output.hasSuffix("2999 " + String(repeating: "x", count: 95)
                                                             + "\n1000 lines read\nstatus 0\n"), "\(jinn.failure ?? "")")
        #expect(jinn == python3, "\(jinn.failure ?? "") against \(python3.failure ?? "")")
    }

    @Test func jinnSessionsListsTheRunsOwnPid() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("listed.py", """
            import json, os, subprocess, sys
            listed = json.loads(subprocess.run([sys.argv[1], 'sessions', '--json'], capture_output=True).stdout)
            print('listed as itself', [item['pid'] for item in listed] == [os.getpid()])
            """)
        let session = try TerminalDriver(box: box).run(line: "PROGRAM listed.py PROGRAM",
                                                       program: CommandRunner.executable.path)
        #expect(session.output == "listed as itself True\n", "\(session)")
    }
}
