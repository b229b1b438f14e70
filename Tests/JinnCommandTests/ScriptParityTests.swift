import Foundation
import Jinn
import Testing

/// `jinn SCRIPT` against `python3 SCRIPT`: the same bytes on stdout and stderr and the same exit status or signal,
/// through the real daemon and zygote.
@Suite(.serialized)
struct ScriptParityTests {
    struct Case: CustomStringConvertible {
        var name: String
        var arguments: [String]
        var input = ""
        var description: String { name }
    }

    static func cases(_ box: ScriptRunnerSandbox) throws -> [Case] {
        try box.script("hello.py", "print('hello')\n")
        try box.script("traceback.py", """
            def inner(x):
                return 1 / x

            def outer():
                try:
                    inner(0)
                except ZeroDivisionError as error:
                    raise ValueError("wrapped") from error

            outer()
            """)
        try box.script("exit3.py", "import sys\nprint('before')\nsys.exit(3)\n")
        try box.script("exitmessage.py", "import sys\nsys.exit('goodbye, world')\n")
        try box.script("exitnone.py", "raise SystemExit(None)\n")
        try box.script("osexit.py", "import os, sys\nprint('lost in the buffer')\nsys.stderr.write('err\\n')\nos._exit(5)\n")
        try box.script("sigterm.py", "import os, signal\nprint('x', flush=True)\nos.kill(os.getpid(), signal.SIGTERM)\n")
        try box.script("interrupt.py", "print('partial')\nraise KeyboardInterrupt\n")
        try box.script("introspect.py", """
            import sys, os
            print(sys.argv, __file__, sys.path[0], __name__, __spec__, __package__, __doc__)
            print(sorted(globals()), type(__loader__).__name__, sys.orig_argv[1:])
            print(sys.stdin.isatty(), sys.stdout.isatty(), sys.stdout.encoding, sys.stderr.errors)
            print(sys.stdout.line_buffering, sys.stderr.line_buffering, sys.stdout.write_through)
            print(os.getcwd(), 'jinn' in sys.modules, [m for m in sys.modules if m.startswith('jinn')])
            """)
        try box.script("sibling.py", "import helper_module\nprint(helper_module.VALUE)\n")
        try box.script("helper_module.py", "VALUE = 'found beside the script'\n")
        try box.script("stdin.py", "import sys\ndata = sys.stdin.read()\nprint(len(data), data.upper())\n")
        try box.script("binary.py", "import sys\nsys.stdout.buffer.write(bytes(range(256)) * 3)\n")
        try box.script("unicode.py", "print('héllo ✓ 日本語')\nimport sys\nsys.stderr.write('ërr ✗\\n')\n")
        try box.script("large.py", "import sys\nfor i in range(100000):\n    sys.stdout.write('%07d abcdefghij\\n' % i)\n")
        try box.script("syntax.py", "print('ok')\ndef broken(:\n    pass\n")
        try box.script("warn.py", "import warnings\nwarnings.warn('careful')\nprint('after')\n")
        try box.script("shutdown.py", """
            import atexit, threading, time
            atexit.register(lambda: print('atexit ran'))
            def late():
                time.sleep(0.2)
                print('thread finished')
            threading.Thread(target=late).start()
            print('main done')
            """)
        try box.script("interleave.py", """
            import sys
            for i in range(5):
                print('out', i)
                print('err', i, file=sys.stderr)
            """)
        try box.script("pkgdir/__main__.py", "import sys\nprint('dir main', sys.argv, sys.path[0], __name__)\n")
        try FileManager.default.createDirectory(at: box.scripts.appending(path: "emptydir"),
                                                withIntermediateDirectories: true)
        try box.script("runnable_module.py", "import sys\nprint(sys.argv, __name__, __file__, sys.path[0])\n")
        try box.script("runpkg/__init__.py", "")
        try box.script("runpkg/__main__.py", "import sys\nprint('package main', sys.argv, __package__)\n")
        try box.script("failing_module.py", "raise RuntimeError('from a module')\n")
        try box.script("randomness.py", "import random\nprint(random.random() != random.random())\n")
        let show = "import sys\nprint(sys.argv, __file__, sys.path[0], __name__, type(__loader__).__name__)\n"
        try box.script("real/linked.py", show + "import helper_beside\nprint(helper_beside.WHERE)\n")
        try box.script("real/helper_beside.py", "WHERE = 'beside the file the link leads to'\n")
        try box.script("real/fails.py", "def f():\n    return 1 / 0\n\nf()\n")
        try box.symlink("links/linked.py", to: "../real/linked.py")
        try box.symlink("links/fails.py", to: box.scripts.path + "/real/fails.py")
        try box.symlink("pkglink", to: "pkgdir")
        try box.zip("app.zip", main: show)
        try box.zip("failing.zip", main: "def f():\n    return 1 / 0\n\nf()\n")
        return [
            Case(name: "hello", arguments: ["hello.py"]),
            Case(name: "chained traceback", arguments: ["traceback.py"]),
            Case(name: "sys.exit(3)", arguments: ["exit3.py"]),
            Case(name: "sys.exit(message)", arguments: ["exitmessage.py"]),
            Case(name: "SystemExit(None)", arguments: ["exitnone.py"]),
            Case(name: "os._exit", arguments: ["osexit.py"]),
            Case(name: "killed by SIGTERM", arguments: ["sigterm.py"]),
            Case(name: "KeyboardInterrupt", arguments: ["interrupt.py"]),
            Case(name: "introspection", arguments: ["introspect.py", "a", "b c", "--flag"]),
            Case(name: "introspection by relative path", arguments: ["./introspect.py"]),
            Case(name: "introspection by absolute path", arguments: [box.scripts.path + "/introspect.py"]),
            Case(name: "sibling import", arguments: ["sibling.py"]),
            Case(name: "standard input", arguments: ["stdin.py"], input: "line one\nline two\n"),
            Case(name: "binary output", arguments: ["binary.py"]),
            Case(name: "unicode", arguments: ["unicode.py"]),
            Case(name: "large output", arguments: ["large.py"]),
            Case(name: "syntax error", arguments: ["syntax.py"]),
            Case(name: "warnings", arguments: ["warn.py"]),
            Case(name: "threads and atexit at shutdown", arguments: ["shutdown.py"]),
            Case(name: "stdout and stderr", arguments: ["interleave.py"]),
            Case(name: "missing script", arguments: ["missing.py"]),
            Case(name: "directory with __main__", arguments: ["pkgdir", "x"]),
            Case(name: "directory without __main__", arguments: ["emptydir"]),
            Case(name: "path through a file", arguments: ["hello.py/inner.py"]),
            Case(name: "unreadable script", arguments: ["/proc/sys/vm/drop_caches"]),
            Case(name: "-c with arguments", arguments: ["-c", "import sys; print(sys.argv, repr(sys.path[0]), __name__)", "p", "q"]),
            Case(name: "-c exception", arguments: ["-c", "x = 1\nraise OSError(2, 'nope')"]),
            Case(name: "-m module", arguments: ["-m", "runnable_module", "arg"]),
            Case(name: "-m package", arguments: ["-m", "runpkg", "arg"]),
            Case(name: "-m missing module", arguments: ["-m", "no_such_module_anywhere"]),
            Case(name: "-m failing module", arguments: ["-m", "failing_module"]),
            Case(name: "random is reseeded", arguments: ["randomness.py"]),
            Case(name: "symlinked script", arguments: ["links/linked.py", "a"]),
            Case(name: "symlinked script by absolute path", arguments: [box.scripts.path + "/links/linked.py"]),
            Case(name: "traceback through a symlinked script", arguments: ["links/fails.py"]),
            Case(name: "directory through a symlink", arguments: ["pkglink", "y"]),
            Case(name: "zip with __main__", arguments: ["app.zip", "z"]),
            Case(name: "zip that raises", arguments: ["failing.zip"]),
        ]
    }

    @Test func scriptsBehaveExactlyAsUnderPython3() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        for testCase in try Self.cases(box) {
            let input = Data(testCase.input.utf8)
            let expected = try box.python3(testCase.arguments, input: input)
            let actual = try box.jinn(testCase.arguments, input: input)
            #expect(actual == expected, "\(testCase.name): jinn \(actual)\npython3 \(expected)")
        }
        // Every run went through the daemon, none fell back to the interpreter (a run counts once the daemon has
        // seen its end, which may come after its client has left).
        #expect(try eventually { try box.request(.status)["runs"]?.intValue ?? 0 >= 32 })
    }

    @Test func twoRunsOfTheSameScriptGetDifferentRandomNumbers() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("draw.py", "import random\nprint(random.random())\n")
        let first = try box.jinn(["draw.py"]).output
        let second = try box.jinn(["draw.py"]).output
        #expect(first != second)
    }

    @Test func aScriptWithAJinnShebangRunsThroughJinn() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let path = try box.script("tool", "#!/usr/bin/env jinn\nimport sys\nprint('tool', sys.argv)\n")
        chmod(path, 0o755)
        let direct = try box.python3([path, "one"])
        let outcome = try box.jinn(["run", path, "one"])
        #expect(outcome == direct)
        // Executed by the kernel: `env` finds jinn on PATH and passes the script path on.
        let printed = try Spawned(path, ["one"], environment: box.environment, directory: box.scripts.path).wait()
        #expect(printed.output == "tool ['\(path)', 'one']\n")
        // A run counts once the daemon has seen its end, which may come after its client has left.
        #expect(try eventually { try box.request(.status)["runs"]?.intValue == 2 })
    }

    @Test func filesLeftOpenAreFlushedAtExitAsUnderPython3() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let target = box.root.path + "/written.txt"
        try box.script("leave_open.py", "f = open(\(target.debugDescription), 'w')\nf.write('kept data')\n")
        let outcome = try box.jinn(["leave_open.py"])
        #expect(outcome.termination == .exited(0))
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "kept data")
    }

    @Test func theTerminalIsTheCallersOwn() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        // `script` runs the command on a new pseudo-terminal.
        let code = "import sys; print(sys.stdin.isatty(), sys.stdout.isatty(), sys.stderr.isatty(), sys.stdout.line_buffering)"
        func underTerminal(_ command: String) throws -> String {
            let process = try Spawned("/usr/bin/script", ["-qec", command, "/dev/null"], environment: box.environment,
                                      directory: box.scripts.path)
            return process.wait().output
        }
        // `script` answers the end of its own input (a closed pipe here) with a byte on its terminal, which the
        // caller's terminal, raw while the run is in the foreground, passes to the run's, where it is echoed.
        let jinn = try underTerminal("\(CommandRunner.executable.path) -c \"\(code)\"")
            .replacingOccurrences(of: "^@", with: "")
        let python = try underTerminal("\(box.python.executable) -c \"\(code)\"")
        #expect(jinn == python)
        #expect(jinn.hasPrefix("True True True True"))
    }

    @Test func anEarlyClosingReaderEndsTheRunAsItEndsPython3() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let code = "for i in range(1000000): print(i)"
        func pipeline(_ program: String) throws -> ScriptRunnerSandbox.Outcome {
            try box.jinnShell("\(program) -c '\(code)' | head -1; echo status=${PIPESTATUS[0]}")
        }
        let jinn = try pipeline(CommandRunner.executable.path)
        let python = try pipeline(box.python.executable)
        #expect(jinn == python)
        #expect(jinn.output == "0\nstatus=1\n")
    }
}

extension ScriptRunnerSandbox {
    /// Makes a symbolic link in the scripts directory.
    func symlink(_ name: String, to destination: String) throws {
        let url = scripts.appending(path: name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: destination)
    }

    /// Writes a zip file holding a `__main__.py` into the scripts directory, with the interpreter's zipfile module.
    func zip(_ name: String, main source: String) throws {
        let made = try python3(["-c", "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z: z.writestr('__main__.py', sys.argv[2])",
                                scripts.path + "/" + name, source])
        guard made.termination == .exited(0) else { throw SandboxError("cannot write \(name): \(made)") }
    }

    /// Runs a bash command line in the sandbox's environment and scripts directory.
    func jinnShell(_ command: String, input: Data = Data()) throws -> Outcome {
        let process = try Spawned("/bin/bash", ["-c", command], environment: environment, directory: scripts.path)
        process.write(input)
        return process.wait()
    }

    /// Runs a bash command line twice (in `directory` if given), with `PROGRAM` standing for the built `jinn`,
    /// then for `python3`.
    func shellBothWays(_ command: String, directory: String? = nil) throws -> (jinn: Outcome, python: Outcome) {
        func run(_ program: String) throws -> Outcome {
            try jinnShell((directory.map { "cd '\($0)' && " } ?? "") + command.replacingOccurrences(of: "PROGRAM", with: program))
        }
        return (try run(CommandRunner.executable.path), try run(python.executable))
    }

    /// Whether the daemon has served `count` runs, once it has seen their ends (which may come after their
    /// clients have left).
    func hasServed(_ count: Int) throws -> Bool {
        try eventually { try request(.status)["runs"]?.intValue == count }
    }
}
