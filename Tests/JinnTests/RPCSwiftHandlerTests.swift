import Foundation
import Jinn
import JinnWire
import Testing

@Suite("Calls from Python into Swift")
struct RPCSwiftHandlerTests {
    struct Greeting: Codable, Sendable {
        var name: String
        var polite: Bool
    }

    struct Refusal: Error, CustomStringConvertible {
        var description: String { "the Swift side refuses politely" }
    }

    static func options(_ register: (inout SwiftHandlers) -> Void) -> LaunchOptions {
        var options = LaunchOptions()
        options.standardOutput = .null
        options.standardError = .null
        register(&options.handlers)
        return options
    }

    @Test func pythonCallsTypedSwiftHandlers() async throws {
        let options = Self.options { handlers in
            handlers.register("greet") { (request: Greeting) in
                request.polite ? "Good day, \(request.name)" : "Hi \(request.name)"
            }
            handlers.register("sum") { (numbers: [Int]) in numbers.reduce(0, +) }
            handlers.register("bytes") { (data: Data) in Data(data.reversed()) }
            handlers.register("version") { "1.0" }
        }
        let python = try await startServer([fixtureModule], options: options)
        #expect(try await python.call("fixture.ask", "greet", keywords: ["name": "Ada", "polite": true]) as String
            == "Good day, Ada")
        #expect(try await python.call("fixture.ask", "sum", [1, 2, 3]) as Int == 6)
        #expect(try await python.call("fixture.ask", "sum", 4, 5) as Int == 9)
        #expect(try await python.call("fixture.ask", "bytes", Data([1, 2, 3])) as Data == Data([3, 2, 1]))
        #expect(try await python.call("fixture.ask", "version") as String == "1.0")
        #expect(try await python.call("fixture.ask_async", "sum", [10, 20]) as Int == 30)
        await python.shutdown()
    }

    @Test func aSwiftErrorArrivesInPythonWithItsDescription() async throws {
        let options = Self.options { handlers in
            handlers.register("refuse") { (_: PythonValue) -> Int in throw Refusal() }
        }
        let python = try await startServer([fixtureModule], options: options)
        for function in ["fixture.ask", "fixture.ask_async"] {
            do {
                let error = await failure { () async throws(JinnError) in
                    _ = try await python.call(function, "refuse", 1)
                }
                if case .python(let exception, _)? = error {
                    #expect(exception.typeName == "jinn.SwiftError")
                    #expect(exception.message == "the Swift side refuses politely")
                } else {
                    Issue.record("unexpected outcome: \(String(describing: error))")
                }
            }
        }
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await python.call("fixture.ask", "unknown", 1)
            }
            if case .python(let exception, _)? = error {
                #expect(exception.message.contains("'unknown'"))
                #expect(exception.message.contains("refuse"))
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await python.call("fixture.ask", "refuse", keywords: ["bad": PythonValue.none])
            }
            if case .python(let exception, _)? = error {
                #expect(exception.typeName == "jinn.SwiftError")
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        await python.shutdown()
    }

    @Test func aRequestThatDoesNotFitIsAnErrorInPython() async throws {
        let options = Self.options { handlers in
            handlers.register("greet") { (request: Greeting) in request.name }
        }
        let python = try await startServer([fixtureModule], options: options)
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await python.call("fixture.ask", "greet", keywords: ["name": 5])
            }
            if case .python(let exception, _)? = error {
                #expect(exception.message.contains("the request of Swift handler 'greet'"), "\(exception.message)")
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        await python.shutdown()
    }

    @Test func nestedCallsDoNotDeadlock() async throws {
        // Swift calls Python, which calls Swift, which calls Python again, several levels deep and many at once.
        let holder = ProcessHolder()
        let options = Self.options { handlers in
            handlers.register("deeper") { (depth: Int) async throws -> Int in
                guard let python = holder.process else { throw Refusal() }
                if depth == 0 { return try await python.call("fixture.add", 100, 0) }
                return try await python.call("fixture.ask", "deeper", depth - 1) as Int + 1
            }
        }
        let python = try await startServer([fixtureModule], options: options)
        holder.process = python
        #expect(try await python.call("fixture.ask", "deeper", 5) as Int == 105)
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { try await python.call("fixture.ask", "deeper", 3) } }
            var results: [Int] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(results == Array(repeating: 103, count: 20))
        holder.process = nil
        await python.shutdown()
    }

    @Test func handlersCanBeRegisteredAfterStart() async throws {
        let python = try await startServer([fixtureModule])
        python.register("late") { (value: String) in value.uppercased() }
        #expect(try await python.call("fixture.ask", "late", "hi") as String == "HI")
        await python.shutdown()
    }

    @Test func aPythonCallThatIsInterruptedCancelsTheSwiftHandler() async throws {
        let cancelled = Flag()
        let options = Self.options { handlers in
            handlers.register("forever") { (_: PythonValue) -> Int in
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch {
                    cancelled.set()
                    throw error
                }
                return 0
            }
        }
        let python = try await startServer([fixtureModule], options: options)
        await #expect(throws: JinnError.self) {
            try await python.call("fixture.ask", "forever", 0, timeout: .milliseconds(200))
        }
        try await waitUntil { cancelled.isSet }
        #expect(try await python.call("fixture.add", 1, 1) as Int == 2)
        await python.shutdown()
    }
}

/// Lets a handler registered before start reach the process it serves.
final class ProcessHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: PythonProcess?

    var process: PythonProcess? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
