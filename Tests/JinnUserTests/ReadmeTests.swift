import Foundation
import Jinn
import Testing

/// The README's code blocks: each Swift block is compiled (as part of `ReadmeExamples.swift`), each Python block
/// is compiled by the interpreter, and each TOML block is parsed.
@Suite struct ReadmeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A fenced block of the README: its language and lines, and the line of the README it starts on.
    ///
    /// Words after the language in the fence are tags: ```` ```swift pythonkit ```` marks Swift written for
    /// PythonKit, shown beside Jinn's version for comparison, which this package cannot compile.
    struct Block: CustomStringConvertible {
        var language: String
        var tags: [String] = []
        var lines: [String]
        var line: Int
        var description: String { "the \(language) block at README.md:\(line)" }
    }

    static func blocks() throws -> [Block] {
        let text = try String(contentsOf: root.appending(path: "README.md"), encoding: .utf8)
        var blocks: [Block] = []
        var current: Block?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("```") {
                if let block = current {
                    blocks.append(block)
                    current = nil
                } else {
                    let words = line.dropFirst(3).split(separator: " ").map(String.init)
                    current = Block(language: words.first ?? "", tags: Array(words.dropFirst()), lines: [],
                                    line: index + 1)
                }
            } else {
                current?.lines.append(String(line))
            }
        }
        return blocks
    }

    /// Lines without their indentation and trailing spaces, blank ones dropped.
    static func normalized(_ lines: some Sequence<String>) -> [String] {
        lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    @Test func everySwiftBlockIsACompiledExample() throws {
        let examples = try String(contentsOf: Self.root.appending(path: "Tests/JinnUserTests/ReadmeExamples.swift"),
                                  encoding: .utf8)
        let exampleLines = Self.normalized(examples.split(separator: "\n").map(String.init))
        let blocks = try Self.blocks().filter { $0.language == "swift" && !$0.tags.contains("pythonkit") }
        #expect(blocks.count >= 14)
        for block in blocks {
            var lines = Self.normalized(block.lines)
            // The package manifest's lines go into a user's Package.swift, which a test target cannot hold.
            if lines.first?.hasPrefix(".package(") == true { continue }
            // The file's own imports stand for a block's leading ones.
            while lines.first?.hasPrefix("import ") == true { lines.removeFirst() }
            let found = (0...max(0, exampleLines.count - lines.count)).contains { start in
                Array(exampleLines[start..<min(exampleLines.count, start + lines.count)]) == lines
            }
            #expect(found, "\(block) is not in ReadmeExamples.swift as it is in the README")
        }
    }

    @Test func onlyPythonKitCodeIsLeftUncompiled() throws {
        let skipped = try Self.blocks().filter { $0.language == "swift" && !$0.tags.isEmpty }
        #expect(!skipped.isEmpty)
        for block in skipped {
            #expect(block.tags == ["pythonkit"], "\(block) has tags other than pythonkit: \(block.tags)")
            #expect(block.lines.first == "import PythonKit", "\(block) is tagged pythonkit but is not PythonKit code")
            #expect(!block.lines.contains { $0.contains("try await") }, "\(block) looks like Jinn code")
        }
    }

    @Test func everyPythonBlockCompiles() async throws {
        let blocks = try Self.blocks().filter { $0.language == "python" }
        #expect(!blocks.isEmpty)
        var program = PythonProgram(main: """
            import ast, jinn
            for source in jinn.values["blocks"]:
                compile(source, "README.md", "exec", ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            """)
        program.values["blocks"] = .list(blocks.map { .string($0.lines.joined(separator: "\n")) })
        let process = try await PythonProcess.start(program)
        try await process.waitForSuccess()
    }

    @Test func everyTOMLBlockParses() async throws {
        let blocks = try Self.blocks().filter { $0.language == "toml" }
        #expect(!blocks.isEmpty)
        var program = PythonProgram(main: """
            import jinn, tomllib
            for source in jinn.values["blocks"]:
                tomllib.loads(source)
            """)
        program.values["blocks"] = .list(blocks.map { .string($0.lines.joined(separator: "\n")) })
        let process = try await PythonProcess.start(program)
        try await process.waitForSuccess()
    }

    @Test func theQuickStartRuns() async throws {
        try await ReadmeExamples.quickStart()
    }

    @Test func theCallsExampleRuns() async throws {
        try await ReadmeExamples.callsIntoPython()
    }

    @Test func theObjectExamplesRun() async throws {
        try await ReadmeExamples.pythonObjects()
        let python = try await PythonProcess.start(.server())
        defer { Task { await python.shutdown() } }
        let np = try await python.import("numpy")
        try await ReadmeExamples.objectOperations(python, np)
        try await ReadmeExamples.objectConversions(np)
    }

    @Test func theSharedArrayExampleRuns() async throws {
        try await ReadmeExamples.sharedArrays()
    }

    @Test func theREPLExampleRunsUpToItsTimeout() async throws {
        do {
            try await ReadmeExamples.replSessions(longJob: "for i in range(3): print(i)")
            Issue.record("the example's time.sleep(60) should have timed out")
        } catch JinnError.timedOut {
        }
    }

    @Test func theUncaughtExceptionExampleSeesTheException() async throws {
        var options = LaunchOptions()
        options.standardError = .null
        let process = try await PythonProcess.start(PythonProgram(main: "x = 1\n\n1 / 0\n"), options: options)
        await ReadmeExamples.uncaughtException(process)
        try await ReadmeExamples.capturedInAClosure(process)
        #expect(process.uncaughtException?.typeName == "ZeroDivisionError")
        #expect(process.uncaughtException?.frames.last?.description == "<jinn>/__main__.py:3 in <module>: 1 / 0")
    }
}
