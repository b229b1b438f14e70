import Foundation
import Jinn
import Testing

/// Calls as a user's package makes them, with nothing imported but `Jinn`.
@Suite struct CallTests {
    static let module = """
        import enum, time, jinn

        class Color(enum.IntEnum):
            RED = 1

        class Name(str):
            pass

        log = []

        def nap(seconds):
            try:
                time.sleep(seconds)
                log.append("slept")
            except KeyboardInterrupt:
                log.append("interrupted")
                raise

        def entries():
            return log

        def red():
            return Color.RED

        def name():
            return Name("ada")

        def ask(handler):
            return jinn.call(handler)

        @jinn.expose
        class Bag:
            def __init__(self, items=None, **named):
                self.items, self.named = items, named
            def contents(self, extra=None):
                return [self.items, self.named, extra]
        """

    @Test func pythonValueNeedsNoOtherImport() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let value: PythonValue = try await python.call("json.loads", "[1, 2.5, null]")
        #expect(value == [1, 2.5, nil])
        let big = try await python.call("pow", 2, 100)
        #expect(big == .bigInt(BigInteger("1267650600228229401496703205376")!))
    }

    @Test func aLiteralMayMixTypes() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let text: String = try await python.call("json.dumps", ["n": 1, "name": "x", "tags": [1, "a", nil]],
                                                 keywords: ["sort_keys": true])
        #expect(text == #"{"n": 1, "name": "x", "tags": [1, "a", null]}"#)
        let echoed = try await python.call("dict", keywords: ["mixed": [1, "two", 3.0]])
        #expect(echoed == ["mixed": [1, "two", 3.0]])
        // Typed values still go through `Encodable`.
        let radius = 2.0
        let doubled: Double = try await python.call("operator.mul", radius, 2)
        #expect(doubled == 4)
    }

    @Test func servicesTakeLiteralsThatMixTypesToo() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let bag = try await python.makeService("user.Bag", [1, "two", nil], keywords: ["weight": 1.5])
        let contents = try await bag.call("contents", ["k": [true, "v"]])
        #expect(contents == [[1, "two", nil], ["weight": 1.5], ["k": [true, "v"]]])
        await bag.close()
    }

    @Test func subclassesOfPlainTypesArriveAsTheirBaseType() async throws {
        let python = try await startServer(module: Self.module, setup: "import numpy")
        defer { Task { await python.shutdown() } }
        let mean: Double = try await python.call("numpy.mean", [1.0, 2.0, 4.5])
        #expect(mean == 2.5)
        let sum: Int = try await python.call("numpy.sum", [1, 2, 3])
        #expect(sum == 6)
        let nested = try await python.call("numpy.isclose", 1.0, 1.0)
        #expect(nested == true)
        #expect(try await python.call("user.red", as: Int.self) == 1)
        #expect(try await python.call("user.name", as: String.self) == "ada")
    }

    @Test func aTimeoutInterruptsABlockingSleep() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let error = await failure { () async throws(JinnError) in
            try await python.call("user.nap", 60, timeout: .milliseconds(200))
        }
        guard case .timedOut? = error else {
            Issue.record("expected a time-out, got \(String(describing: error))")
            return
        }
        try await Self.expectTheNapInterrupted(python)
    }

    /// Waits for `user.nap` to log its interruption; without one the entry would come only after its minute.
    static func expectTheNapInterrupted(_ python: PythonProcess, sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        let interrupted = try await eventually {
            try await python.call("user.entries", as: [String].self) == ["interrupted"]
        }
        #expect(interrupted, sourceLocation: sourceLocation)
    }

    @Test func aServerIsReturnedOnceItsSetupHasRun() async throws {
        var options = LaunchOptions()
        options.standardError = .null
        let error = await failure { () async throws(JinnError) in
            _ = try await PythonProcess.start(.server(setup: "raise ValueError('bad setup')"), options: options)
        }
        guard case .python(let exception, let termination)? = error else {
            Issue.record("expected the set-up's exception, got \(String(describing: error))")
            return
        }
        #expect(exception.typeName == "ValueError" && exception.message == "bad setup")
        #expect(termination == .exited(1))
        let quitter = await failure { () async throws(JinnError) in
            _ = try await PythonProcess.start(.server(setup: "import sys; sys.exit(4)"), options: options)
        }
        guard case .processFailed(.exited(4))? = quitter else {
            Issue.record("expected the set-up's exit, got \(String(describing: quitter))")
            return
        }
    }

    @Test func cancellingACallInterruptsABlockingSleep() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let call = Task { try await python.call("user.nap", 60) }
        try await Task.sleep(for: .milliseconds(200))
        call.cancel()
        do {
            _ = try await call.value
            Issue.record("expected a cancellation")
        } catch let error as JinnError {
            guard case .cancelled = error else {
                Issue.record("expected a cancellation, got \(error)")
                return
            }
        }
        try await Self.expectTheNapInterrupted(python)
    }

    @Test func jinnsOwnFramesAreLeftOutOfErrors() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        guard case .python(let exception, _)? = await failure({ () async throws(JinnError) in
            try await python.call("user.ask", "missing")
        }) else {
            Issue.record("expected a Python error")
            return
        }
        #expect(exception.typeName == "jinn.SwiftError" || exception.typeName == "SwiftError")
        let files = exception.frames.map { $0.file }
        #expect(!files.isEmpty)
        #expect(files.allSatisfy { !$0.contains("<jinn>/jinn/") }, "frames: \(exception.frames)")
        #expect(exception.frames.last?.function == "ask")
    }

    @Test func errorsReadWellAsLocalizedDescriptions() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let error = await failure { () async throws(JinnError) in try await python.call("math.sqrt", -1) }
        let described = try #require(error).localizedDescription
        #expect(described.contains("ValueError"))
        #expect(described.contains("math domain error"))
        #expect(!described.contains("The operation could not be completed"))
        let any: any Error = JinnError.timedOut(operation: "the call of f", seconds: 1)
        #expect(any.localizedDescription == "the call of f did not finish within 1.0 seconds")
    }
}
