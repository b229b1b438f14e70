import Foundation
import Jinn
import Testing

/// `jinn exec` and `jinn python`, run as a user runs them.
struct ExecCommandTests {
    @Test func theBundledExampleRunsFromMemory() throws {
        let result = try CommandRunner.run(["exec", "Examples/hello", "tester"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("Hello, Tester! Python 3."))
        #expect(result.standardOutput.contains("<jinn>/__main__.py greeting -> <jinn>/greeting/__init__.py"))
    }

    @Test func aScriptGetsStdinArgumentsAndItsExitStatus() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
            import sys
            data = sys.stdin.read()
            print(sys.argv[1:], data.upper(), end="")
            print("to stderr", file=sys.stderr)
            sys.exit(5)
            """.write(to: directory.appending(path: "tool.py"), atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["exec", "tool.py", "a", "--b"], input: "piped in", directory: directory)
        #expect(result.status == 5)
        #expect(result.standardOutput == "['a', '--b'] PIPED IN")
        #expect(result.standardError == "to stderr\n")
    }

    @Test func anUncaughtExceptionPrintsPythonsTracebackAndExitsOne() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appending(path: "bad.py")
        try "def f():\n    raise ValueError('boom')\nf()\n".write(to: script, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["exec", "bad.py"], directory: directory)
        #expect(result.status == 1)
        #expect(result.standardError == """
            Traceback (most recent call last):
              File "\(script.path)", line 3, in <module>
                f()
              File "\(script.path)", line 2, in f
                raise ValueError('boom')
            ValueError: boom

            """)
    }

    @Test func aProgramHeldInMemoryPrintsItsSourceLinesAsPython3Does() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = [
            "__main__.py": "from pkg.sub import deep\n\ndeep.explode([1, 2, 3], 7)\n",
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "",
            "pkg/sub/deep.py": "def explode(values, index):\n    try:\n        return values[index] + 1\n"
                + "    except IndexError as error:\n        raise KeyError(index) from error\n",
        ]
        for (path, source) in files {
            let url = directory.appending(path: "program/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try source.write(to: url, atomically: true, encoding: .utf8)
        }
        let jinn = try CommandRunner.run(["exec", "program"], directory: directory)
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", directory.appending(path: "program").path]
        let errors = Pipe()
        python.standardError = errors
        try python.run()
        let fromDisk = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        #expect(jinn.status == 1 && python.terminationStatus == 1)
        #expect(jinn.standardError.contains("    return values[index] + 1\n"), "\(jinn.standardError)")
        // python3 runs the same files from disk: only the paths differ, and its runpy frames, which have no lines.
        let expected = fromDisk.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("  File \"<frozen runpy>\"") }.joined(separator: "\n")
            .replacingOccurrences(of: directory.path + "/program/", with: "<jinn>/")
        #expect(jinn.standardError == expected)
    }

    @Test func aMissingScriptGetsPythonsMessageAndStatus() throws {
        let result = try CommandRunner.run(["exec", "no-such-script.py"])
        #expect(result.status == 2)
        let path = CommandRunner.packageRoot.path + "/no-such-script.py"
        #expect(result.standardError.hasSuffix(": can't open file '\(path)': [Errno 2] No such file or directory\n"),
                "\(result.standardError)")
    }

    /// `jinn exec PATH` against `python3 PATH` for what a path can lead to: the same output, errors and status.
    @Test func scriptPathsRunAsUnderPython3() async throws {
        let python = URL(fileURLWithPath: try await PythonInterpreter.system().executable)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, _ text: String) throws {
            let url = directory.appending(path: name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let show = "import sys\nprint(sys.argv, __file__, sys.path[0], __name__, type(__loader__).__name__, sys.orig_argv[1:])\n"
        let fails = "def f():\n    return 1 / 0\n\nf()\n"
        try write("real/linked.py", show + "import helper_beside\nprint(helper_beside.WHERE)\n")
        try write("real/helper_beside.py", "WHERE = 'beside the file the link leads to'\n")
        try write("real/fails.py", fails)
        try FileManager.default.createDirectory(at: directory.appending(path: "links"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/links/linked.py",
                                                   withDestinationPath: "../real/linked.py")
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/links/fails.py",
                                                   withDestinationPath: directory.path + "/real/fails.py")
        for (name, source) in [("app.zip", show), ("failing.zip", fails)] {
            let zipped = try CommandRunner.run(
                ["-c", "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z: z.writestr('__main__.py', sys.argv[2])",
                 name, source], directory: directory, executable: python)
            #expect(zipped.status == 0, "\(zipped.standardError)")
        }
        for arguments in [["links/linked.py", "a"], ["./links/linked.py"], [directory.path + "/links/linked.py"],
                          ["links/fails.py"], ["app.zip", "z"], ["failing.zip"]] {
            let jinn = try CommandRunner.run(["exec"] + arguments, directory: directory)
            let python3 = try CommandRunner.run(arguments, directory: directory, executable: python)
            #expect(jinn.status == python3.status, "\(arguments)")
            #expect(jinn.standardOutput == python3.standardOutput, "\(arguments)")
            #expect(jinn.standardError == python3.standardError, "\(arguments)")
        }
    }

    /// A directory is loaded into memory (its modules' files are virtual, `<jinn>/…`), and gets python3's
    /// arguments, module name and imports of its other modules.
    @Test func aDirectoryRunsFromMemoryWithPython3sArguments() async throws {
        let python = URL(fileURLWithPath: try await PythonInterpreter.system().executable)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appending(path: "app"), withIntermediateDirectories: true)
        try "import sys, sibling\nprint(sys.argv, __name__, sibling.VALUE, sys.path[0])\n"
            .write(to: directory.appending(path: "app/__main__.py"), atomically: true, encoding: .utf8)
        try "VALUE = 'from beside __main__'\n"
            .write(to: directory.appending(path: "app/sibling.py"), atomically: true, encoding: .utf8)
        let jinn = try CommandRunner.run(["exec", "app", "x"], directory: directory)
        let python3 = try CommandRunner.run(["app", "x"], directory: directory, executable: python)
        #expect(jinn.status == 0, "\(jinn.standardError)")
        #expect(jinn.standardOutput == python3.standardOutput)
        #expect(jinn.standardOutput == "['app', 'x'] __main__ from beside __main__ \(directory.path)/app\n")
    }

    @Test func deathBySignalIsPassedOn() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n"
            .write(to: directory.appending(path: "die.py"), atomically: true, encoding: .utf8)
        let died = try CommandRunner.run(["exec", "die.py"], directory: directory)
        #expect(died.reason == .uncaughtSignal)
        #expect(died.status == SIGTERM)
    }

    @Test func theChildDiesWithItsParent() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pidFile = directory.appending(path: "pid")
        try """
            import os, time
            with open("pid.tmp", "w") as f:
                f.write(str(os.getpid()))
            os.rename("pid.tmp", "pid")
            time.sleep(60)
            """.write(to: directory.appending(path: "sleeper.py"), atomically: true, encoding: .utf8)
        let jinn = Process()
        jinn.executableURL = CommandRunner.executable
        jinn.arguments = ["exec", "sleeper.py"]
        jinn.currentDirectoryURL = directory
        try jinn.run()
        var childPid: Int32?
        for _ in 0..<1500 where childPid == nil {
            childPid = (try? String(contentsOf: pidFile, encoding: .utf8)).flatMap { Int32($0) }
            try await Task.sleep(for: .milliseconds(10))
        }
        let pid = try #require(childPid)
        kill(jinn.processIdentifier, SIGKILL)
        jinn.waitUntilExit()
        var gone = false
        for _ in 0..<500 where !gone {
            gone = kill(pid, 0) != 0
            if !gone { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(gone, "the Python child \(pid) outlived its parent")
    }

    /// A terminal's Ctrl-C reaches every process of the foreground group: here the program catches it and
    /// decides the exit status, and jinn must not die of it first.
    @Test func interruptIsTheProgramsToHandle() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
            import os, sys, time
            with open("pid.tmp", "w") as f:
                f.write(str(os.getpid()))
            os.rename("pid.tmp", "pid")
            try:
                time.sleep(60)
            except KeyboardInterrupt:
                print("caught")
                sys.exit(3)
            """.write(to: directory.appending(path: "patient.py"), atomically: true, encoding: .utf8)
        let jinn = Process()
        jinn.executableURL = CommandRunner.executable
        jinn.arguments = ["exec", "patient.py"]
        jinn.currentDirectoryURL = directory
        let output = Pipe()
        jinn.standardOutput = output
        try jinn.run()
        var childPid: Int32?
        for _ in 0..<1500 where childPid == nil {
            childPid = (try? String(contentsOf: directory.appending(path: "pid"), encoding: .utf8)).flatMap { Int32($0) }
            try await Task.sleep(for: .milliseconds(10))
        }
        let pid = try #require(childPid)
        kill(jinn.processIdentifier, SIGINT)
        kill(pid, SIGINT)
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        jinn.waitUntilExit()
        #expect(printed == "caught\n")
        #expect(jinn.terminationReason == .exit)
        #expect(jinn.terminationStatus == 3)
    }

    @Test func pythonDescribesTheInterpreter() throws {
        let human = try CommandRunner.run(["python"])
        #expect(human.status == 0)
        #expect(human.standardOutput.contains("implementation:  cpython"))
        let json = try CommandRunner.run(["python", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        #expect((object?["executable"] as? String)?.hasPrefix("/") == true)
        #expect(object?["implementation"] as? String == "cpython")
    }

    @Test func aBadInterpreterIsAClearError() throws {
        let result = try CommandRunner.run(["python", "--python", "/nonexistent/python3"])
        #expect(result.status == 1)
        #expect(result.standardError == "jinn: the Python interpreter '/nonexistent/python3' does not exist or is not executable\n")
    }

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "jinn-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.resolvingSymlinksInPath()
    }
}
