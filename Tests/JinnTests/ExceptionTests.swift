import Foundation
import Jinn
import Testing

/// Uncaught Python exceptions surface as typed Swift errors.
struct ExceptionTests {
    @Test func uncaughtExceptionExitsNonZeroWithTypeMessageAndFrames() async throws {
        var program = PythonProgram(main: "import calc\ncalc.divide(1, 0)\n")
        try program.add(PythonModule(name: "calc", source: "def divide(a, b):\n    return a / b\n"))
        let process = try await PythonProcess.start(program, interpreter: try await systemPython())
        async let errors = process.standardError.text()
        await #expect {
            try await process.waitForSuccess()
        } throws: { error in
            guard case JinnError.python(let exception, let termination) = error else { return false }
            return exception.typeName == "ZeroDivisionError" && exception.message == "division by zero"
                && termination == .exited(1)
                && exception.frames == [
                    .init(file: "<jinn>/__main__.py", line: 2, function: "<module>", sourceLine: "calc.divide(1, 0)"),
                    .init(file: "<jinn>/calc.py", line: 2, function: "divide", sourceLine: "return a / b"),
                ]
        }
        // Python's own traceback still reaches stderr, without Jinn's bootstrap frames.
        let text = await errors
        #expect(text.hasPrefix("Traceback (most recent call last):\n  File \"<jinn>/__main__.py\", line 2"))
        #expect(text.hasSuffix("ZeroDivisionError: division by zero\n"))
    }

    @Test func causeAndContextChainsAreKept() async throws {
        let program = PythonProgram(main: """
            class AppError(Exception):
                pass
            try:
                {}["key"]
            except KeyError as error:
                raise AppError("lookup failed") from error
            """)
        let outcome = try await runToEnd(program)
        let exception = try #require(outcome.exception)
        #expect(exception.typeName == "__main__.AppError")
        #expect(exception.message == "lookup failed")
        #expect(exception.cause?.typeName == "KeyError")
        #expect(exception.cause?.message == "'key'")
        #expect(exception.formattedTraceback.contains("The above exception was the direct cause"))
    }

    @Test func syntaxErrorInAnEmbeddedModuleNamesFileLineAndOffset() async throws {
        var program = PythonProgram(main: "import broken\n")
        try program.add(PythonModule(name: "broken", source: "x = 1\ndef f(:\n    pass\n"))
        let outcome = try await runToEnd(program)
        let exception = try #require(outcome.exception)
        #expect(exception.typeName == "SyntaxError")
        let location = try #require(exception.syntaxLocation)
        #expect(location.file == "<jinn>/broken.py")
        #expect(location.line == 2)
        #expect(location.offset == 7)
        #expect(location.text == "def f(:")
        #expect(outcome.termination == .exited(1))
        #expect(outcome.standardError.contains("File \"<jinn>/broken.py\", line 2"))
    }

    @Test func systemExitStatusesAreThePrograms() async throws {
        for (code, status) in [("raise SystemExit(7)", Int32(7)), ("import sys; sys.exit('bye')", 1),
                               ("import os; os._exit(3)", 3), ("import sys; sys.exit(0)", 0)] {
            let outcome = try await runToEnd(.code(code))
            #expect(outcome.termination == .exited(status), "\(code)")
            #expect(outcome.exception == nil)
        }
    }

    @Test func keyboardInterruptEndsAsPythonDoesBySIGINT() async throws {
        let outcome = try await runToEnd(.code("raise KeyboardInterrupt"))
        #expect(outcome.termination == .signaled(SIGINT))
        #expect(outcome.exception?.typeName == "KeyboardInterrupt")
    }

    @Test func aKilledProcessIsAnErrorNamingTheSignal() async throws {
        let process = try await PythonProcess.start(
            PythonProgram(main: "import jinn, time\njinn.send('started')\ntime.sleep(60)\n"),
            interpreter: try await systemPython())
        var messages = process.messages.makeAsyncIterator()
        #expect(await messages.next() == "started")
        kill(process.processIdentifier, SIGKILL)
        await #expect {
            try await process.waitForSuccess()
        } throws: { error in
            guard case JinnError.processFailed(.signaled(SIGKILL)) = error else { return false }
            return "\(error)".contains("SIGKILL")
        }
    }
}
