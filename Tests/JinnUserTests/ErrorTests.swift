import Foundation
import Jinn
import Testing

/// What a user reads when they get something wrong: every error names the problem and the way out.
@Suite struct ErrorTests {
    @Test func aProgramThatIsNotPythonIsNamedAsSuch() async throws {
        let error = await failure { () async throws(JinnError) in _ = try await PythonInterpreter(path: "/bin/ls") }
        let text = try #require(error).localizedDescription
        #expect(text.hasPrefix("'/bin/ls' is not a working Python interpreter"), "\(text)")
        #expect(text.contains("exited with status 2"))
        #expect(!text.contains("marshal"), "the inspection script leaked into the message: \(text)")
        #expect(text.count < 400, "\(text)")
    }

    @Test func aMissingEnvironmentSaysSoWithoutMixingItIntoThePath() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appending(path: "no-venv").path
        let error = await failure { () async throws(JinnError) in
            _ = try await PythonInterpreter(virtualEnvironment: missing)
        }
        guard case .environment(.missingDirectory(let path))? = error else {
            Issue.record("expected a missing directory, got \(String(describing: error))")
            return
        }
        #expect(path == missing)
        #expect(error?.localizedDescription.hasPrefix("'\(missing)' does not exist; create the environment") == true)
        let notAnEnvironment = await failure { () async throws(JinnError) in
            _ = try await PythonInterpreter(virtualEnvironment: directory.path)
        }
        #expect(notAnEnvironment?.localizedDescription
            == "'\(directory.path)' is not a Python environment (it has neither pyvenv.cfg nor conda-meta)")
    }

    @Test func aMissingScriptIsNamedBeforeLaunch() async throws {
        let error = await failure { () async throws(JinnError) in
            _ = try await PythonProcess.start(.script("/nonexistent/tool.py"))
        }
        #expect(error?.localizedDescription == "invalid program: the script '/nonexistent/tool.py' does not exist")
        var relative = PythonProgram.script("tool.py")
        relative.workingDirectory = "/nonexistent"
        let relativeError = await failure { () async throws(JinnError) in
            _ = try await PythonProcess.start(relative)
        }
        #expect(relativeError?.localizedDescription.contains("'/nonexistent/tool.py' does not exist") == true)
    }

    @Test func aKeywordIsCalledAKeyword() async throws {
        var program = PythonProgram(main: "pass")
        let error = await failure { () async throws(JinnError) in
            try program.add(PythonModule(name: "tools.class", source: ""))
        }
        #expect(error?.localizedDescription
            == "invalid program: 'tools.class' cannot name a module: 'class' is a Python keyword, which an import cannot name")
    }

    @Test func aModuleWithoutItsPackageIsRefusedBeforeLaunch() async throws {
        var program = PythonProgram(main: "import tools.text")
        try program.add(PythonModule(name: "tools.text", source: "X = 1"))
        let error = await failure { () async throws(JinnError) in _ = try await PythonProcess.start(program) }
        let text = try #require(error).localizedDescription
        #expect(text.contains("the module 'tools.text' is in the package 'tools', which the program does not hold"))
        #expect(text.contains("isPackage: true"))

        var plain = PythonProgram(main: "import tools.text")
        try plain.add(PythonModule(name: "tools", source: ""))
        try plain.add(PythonModule(name: "tools.text", source: "X = 1"))
        let plainError = await failure { () async throws(JinnError) in _ = try await PythonProcess.start(plain) }
        #expect(plainError?.localizedDescription.contains("'tools', which is a module, not a package") == true)

        var fixed = PythonProgram(main: "import jinn, tools.text\njinn.send(tools.text.X)")
        try fixed.add(PythonModule(name: "tools", source: "", isPackage: true))
        try fixed.add(PythonModule(name: "tools.text", source: "X = 1"))
        let process = try await PythonProcess.start(fixed)
        var messages = process.messages.makeAsyncIterator()
        #expect(await messages.next() == 1)
        try await process.waitForSuccess()
    }

    @Test func aFailedProgramIsProcessFailed() async throws {
        var options = LaunchOptions()
        options.standardError = .null
        let process = try await PythonProcess.start(.code("import os; os._exit(3)"), options: options)
        let error = await failure { () async throws(JinnError) in try await process.waitForSuccess() }
        guard case .processFailed(.exited(3))? = error else {
            Issue.record("expected processFailed, got \(String(describing: error))")
            return
        }
        #expect(error?.localizedDescription == "the Python process exited with status 3")
        let late = await failure { () async throws(JinnError) in try process.send("too late") }
        guard case .processNotRunning(.exited(3))? = late else {
            Issue.record("expected processNotRunning, got \(String(describing: late))")
            return
        }
    }

    @Test func aCancelledWriteToStandardInputIsCancelled() async throws {
        var options = LaunchOptions()
        options.standardInput = .pipe
        // The program never reads, so a large write waits for room in the pipe until its task is cancelled.
        let process = try await PythonProcess.start(.code("import time; time.sleep(60)"), options: options)
        let write = Task { () async -> JinnError? in
            do throws(JinnError) {
                try await process.writeToStandardInput([UInt8](repeating: 65, count: 4 << 20))
                return nil
            } catch {
                return error
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        write.cancel()
        let error = await write.value
        guard case .cancelled(let operation)? = error else {
            Issue.record("expected a cancellation, got \(String(describing: error))")
            return
        }
        #expect(operation == "writing to standard input")
        await process.terminate()
    }

    @Test func signalsHaveNames() async throws {
        let process = try await PythonProcess.start(.code("import time; time.sleep(60)"))
        #expect(process.signal(.hangup))
        #expect(await process.wait() == .signaled(Signal.hangup.rawValue))
        #expect(!process.signal(.terminate))
        #expect(Signal.userDefinedOne.description == "SIGUSR1")
    }
}
