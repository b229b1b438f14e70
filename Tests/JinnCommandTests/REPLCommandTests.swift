import Foundation
import Jinn
import Testing

/// `jinn repl` end to end: the built `jinn` binary with piped standard input.
@Suite("jinn repl")
struct REPLCommandTests {
    /// The `jinn` binary built beside the test bundle.
    static var jinn: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "jinn").path
    }

    static func repl(_ input: String) async throws -> (Termination, String, String) {
        let (termination, output, errors) = try await runCapturing(Self.jinn, ["repl"],
                                                                   standardInput: Array(input.utf8))
        return (termination, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    @Test func runsPipedStatementsAndPrintsTheirValues() async throws {
        let (termination, output, errors) = try await Self.repl("""
            x = 40
            x + 2
            for i in range(2):
                print(i)

            def double(a):
                b = a

                return b * 2

            double(21)
            'text'
            None
            import sys; print("to stderr", file=sys.stderr)

            """)
        #expect(termination == .exited(0), "\(errors)")
        #expect(output == "42\n0\n1\n42\n'text'\n")
        #expect(errors == "to stderr\n")
    }

    @Test func reportsExceptionsAndGoesOnThenExitsWithOne() async throws {
        let (termination, output, errors) = try await Self.repl("""
            1 / 0
            print("after")
            def broken(:
            """)
        #expect(termination == .exited(1))
        #expect(output == "after\n")
        #expect(errors.contains("ZeroDivisionError: division by zero"))
        #expect(errors.contains("SyntaxError"))
    }

    @Test func inputReadsTheNextLine() async throws {
        let (termination, output, _) = try await Self.repl("name = input('Name: ')\nAda\nname.upper()\n")
        #expect(termination == .exited(0))
        #expect(output == "Name: 'ADA'\n")
    }

    @Test func aBlockAtTheEndOfInputStillRuns() async throws {
        let (_, output, _) = try await Self.repl("for i in range(3):\n    print(i * i)")
        #expect(output == "0\n1\n4\n")
    }

    @Test func sysExitEndsTheSessionWithItsStatus() async throws {
        let (termination, output, _) = try await Self.repl("print('before')\nimport sys\nsys.exit(3)\nprint('never')\n")
        #expect(termination == .exited(3))
        #expect(output == "before\n")
    }
}
