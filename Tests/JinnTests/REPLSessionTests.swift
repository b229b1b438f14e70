import Foundation
import Jinn
import JinnWire
import Synchronization
import Testing

@Suite("REPL sessions")
struct REPLSessionTests {
    static func quietSession(input: REPLSession.InputHandler? = nil) async throws -> REPLSession {
        var options = LaunchOptions()
        options.standardOutput = .null
        options.standardError = .null
        return try await REPLSession.start(interpreter: try await PythonInterpreter.system(), options: options,
                                           input: input)
    }

    @Test func keepsStateBetweenExecutions() async throws {
        let session = try await Self.quietSession()
        #expect(try await session.execute("import math\nradius = 2").value == nil)
        _ = try await session.execute("def area(r):\n    return math.pi * r ** 2\n")
        #expect(try await session.execute("round(area(radius), 3)").value == "12.566")
        #expect(try await session.execute("'text'").value == "'text'")
        #expect(try await session.execute("_").value == "'text'")
        #expect(try await session.execute("None").value == nil)
        await session.close()
    }

    @Test func separatesStandardOutputAndErrorAndKeepsTheirOrder() async throws {
        let session = try await Self.quietSession()
        let result = try await session.execute("""
            import sys
            print("one")
            print("two", file=sys.stderr)
            print("three")
            6 * 7
            """)
        #expect(result.status == .completed)
        #expect(result.value == "42")
        #expect(result.standardOutput == "one\nthree\n")
        #expect(result.standardError == "two\n")
        #expect(result.output == [REPLOutput(.standardOutput, "one\n"), REPLOutput(.standardError, "two\n"),
                                  REPLOutput(.standardOutput, "three\n")])
        await session.close()
    }

    @Test func runsMultiStatementCodeWithBlankLinesAndBlocks() async throws {
        let session = try await Self.quietSession()
        let result = try await session.execute("""
            total = 0

            for i in range(5):
                if i % 2:
                    total += i

                total += 0

            class Box:
                def __init__(self, v):
                    self.v = v

            Box(total).v
            """)
        #expect(result.value == "4")
        await session.close()
    }

    @Test func incompleteInputIsNotAnError() async throws {
        let session = try await Self.quietSession()
        for source in ["def f():", "x = [1,", "if True:\n    y = (", "s = '''open"] {
            let result = try await session.execute(source)
            #expect(result.isIncomplete, "\(source)")
        }
        #expect(try await session.execute("def f():\n    return 3\n\nf()").value == "3")
        await session.close()
    }

    @Test func exceptionsAreTypedErrorsAndTheSessionSurvives() async throws {
        let session = try await Self.quietSession()
        _ = try await session.execute("kept = 'still here'\ndef inner():\n    return 1 / 0\n")
        let error = await #expect(throws: JinnError.self) { try await session.execute("x = 1\ninner()") }
        if case .python(let exception, let termination)? = error {
            #expect(termination == nil)
            #expect(exception.typeName == "ZeroDivisionError")
            #expect(exception.frames.map(\.function) == ["<module>", "inner"])
            #expect(exception.frames.last?.sourceLine == "return 1 / 0")
            #expect(exception.formattedTraceback.contains("return 1 / 0"))
        } else {
            Issue.record("expected a Python exception, got \(String(describing: error))")
        }
        #expect(try await session.execute("kept").value == "'still here'")
        await session.close()
    }

    @Test func syntaxErrorsCarryTheirLine() async throws {
        let session = try await Self.quietSession()
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await session.execute("a = 1\nb = 2 +\nc = 3")
            }
            if case .python(let exception, _)? = error {
                #expect(exception.typeName == "SyntaxError")
                #expect(exception.syntaxLocation?.line == 2)
                #expect(exception.syntaxLocation?.text == "b = 2 +")
                #expect(exception.frames.isEmpty)
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await session.execute("  indented = 1")
            }
            if case .python(let exception, _)? = error {
                #expect(exception.typeName == "IndentationError")
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        await session.close()
    }

    @Test func outputCanBeConsumedWhileTheCodeRuns() async throws {
        let session = try await Self.quietSession()
        let release = FileManager.default.temporaryDirectory.appending(path: "jinn-repl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: release) }
        let seen = Mutex<[String]>([])
        let task = Task {
            try await session.execute("""
                import os, time
                print("first")
                while not os.path.exists(\(PythonValue.string(release.path))):
                    time.sleep(0.01)
                print("second")
                """) { piece in
                seen.withLock { $0.append(piece.text) }
            }
        }
        try await waitUntil { seen.withLock { $0 } == ["first\n"] }
        // The code is still waiting: the first line arrived while it ran.
        #expect(FileManager.default.createFile(atPath: release.path, contents: nil))
        let result = try await task.value
        #expect(seen.withLock { $0 } == ["first\n", "second\n"])
        #expect(result.standardOutput == "first\nsecond\n")
        await session.close()
    }

    @Test func interruptRaisesKeyboardInterruptEvenInsideSleep() async throws {
        let session = try await Self.quietSession()
        _ = try await session.execute("count = 0")
        let started = Flag()
        let task = Task {
            try await session.execute("import time\nwhile True:\n    count += 1\n    print(count)\n    time.sleep(30)") {
                _ in started.set()
            }
        }
        try await waitUntil { started.isSet }
        #expect(session.interrupt())
        let result = await task.result
        guard case .failure(JinnError.python(let exception, _)) = result else {
            Issue.record("expected KeyboardInterrupt, got \(result)")
            return
        }
        #expect(exception.typeName == "KeyboardInterrupt")
        #expect(try await session.execute("count").value == "1")
        #expect(!session.interrupt())
        await session.close()
    }

    @Test func aTimeoutInterruptsTheCodeAndTheSessionSurvives() async throws {
        let session = try await Self.quietSession()
        _ = try await session.execute("state = 'kept'")
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await session.execute("import time\ntime.sleep(30)", timeout: .milliseconds(200))
            }
            if case .timedOut(let operation, _)? = error {
                #expect(operation.contains("REPL"))
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        #expect(try await session.execute("state").value == "'kept'")
        await session.close()
    }

    @Test func codeThatReadsInputIsFedFromSwift() async throws {
        let prompts = Mutex<[String]>([])
        let session = try await Self.quietSession { prompt in
            prompts.withLock { $0.append(prompt) }
            return prompt.hasPrefix("Name") ? "Ada" : nil
        }
        let result = try await session.execute("""
            name = input("Name: ")
            import sys
            rest = sys.stdin.readline()
            (name.upper(), rest)
            """)
        #expect(result.value == "('ADA', '')")
        #expect(result.standardOutput == "Name: ")
        #expect(prompts.withLock { $0 } == ["Name: ", ""])
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await session.execute("input()")
            }
            if case .python(let exception, _)? = error {
                #expect(exception.typeName == "EOFError")
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        await session.close()
    }

    @Test func interactiveModeBehavesLikeTheInteractiveInterpreter() async throws {
        let session = try await Self.quietSession()
        let first = try await session.execute("1 + 1", mode: .interactive)
        #expect(first.value == "2")
        #expect(first.standardOutput == "2\n")
        #expect(try await session.execute("for i in range(3):", mode: .interactive).isIncomplete)
        #expect(try await session.execute("for i in range(3):\n    i", mode: .interactive).isIncomplete)
        let loop = try await session.execute("for i in range(3):\n    i\n", mode: .interactive)
        #expect(loop.standardOutput == "0\n1\n2\n")
        await #expect(throws: JinnError.self) { try await session.execute("1 +", mode: .interactive) }
        await session.close()
    }

    @Test func sessionsInOneProcessAreSeparate() async throws {
        let process = try await startServer()
        let first = REPLSession(process: process)
        let second = REPLSession(process: process)
        _ = try await first.execute("mine = 1")
        await #expect(throws: JinnError.self) { try await second.execute("mine") }
        await first.close()
        await #expect(throws: JinnError.self) { try await first.execute("mine") }
        await process.shutdown()
    }
}
