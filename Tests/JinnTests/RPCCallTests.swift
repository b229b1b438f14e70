import Foundation
import Jinn
import JinnWire
import Testing

@Suite("Calls from Swift into Python")
struct RPCCallTests {
    @Test func callsFunctionsByDottedName() async throws {
        let python = try await startServer([fixtureModule, packageModule, subModule])
        #expect(try await python.call("fixture.add", 1, 2) as Int == 3)
        #expect(try await python.call("math.sqrt", 16.0) as Double == 4)
        #expect(try await python.call("os.path.join", "a", "b") as String == "a/b")
        #expect(try await python.call("len", [1, 2, 3]) as Int == 3)
        #expect(try await python.call("fixture.Point.origin") as [String: Double] == ["x": 0, "y": 0])
        #expect(try await python.call("pkg.sub.Shape.sides", "triangle") as Int == 3)
        await python.shutdown()
    }

    @Test func passesKeywordArguments() async throws {
        let python = try await startServer([fixtureModule])
        let value = try await python.call("fixture.echo", keywords: ["a": 1, "b": [true, false]])
        #expect(value == ["a": 1, "b": [true, false]])
        let text: String = try await python.call("json.dumps", ["k": 1], keywords: ["indent": 1])
        #expect(text == "{\n \"k\": 1\n}")
        await python.shutdown()
    }

    @Test func decodesResultsIntoCodableTypesAndPythonValues() async throws {
        struct Reading: Codable, Equatable {
            var sensor: String
            var values: [Double]
            var note: String?
        }
        let python = try await startServer([fixtureModule])
        let reading = Reading(sensor: "t1", values: [1.5, -2], note: nil)
        #expect(try await python.call("fixture.echo", reading) as Reading == reading)
        #expect(try await python.call("fixture.kind", reading) as String == "dict")

        let big = try await python.call("pow", 2, 100)
        #expect(big == .bigInt(BigInteger("1267650600228229401496703205376")!))
        let nan: Double = try await python.call("float", "nan")
        #expect(nan.isNaN)
        #expect(try await python.call("float", "-inf") as Double == -.infinity)
        #expect(try await python.call("fixture.echo", PythonValue.tuple([1, "a"])) == .tuple([1, "a"]))
        #expect(try await python.call("fixture.echo", Set([3])) == .set([3]))
        #expect(try await python.call("fixture.echo", [7: "seven"]) == [7: "seven"])
        await python.shutdown()
    }

    @Test func binaryDataTravelsAsBytes() async throws {
        let python = try await startServer([fixtureModule])
        let data = Data((0..<256).map { UInt8($0) } + [0, 0])
        #expect(try await python.call("fixture.kind", data) as String == "bytes")
        #expect(try await python.call("fixture.kind", [UInt8](data)) as String == "bytes")
        #expect(try await python.call("fixture.echo", data) as Data == data)
        #expect(try await python.call("fixture.echo", [UInt8](data)) as [UInt8] == [UInt8](data))
        #expect(try await python.call("len", Data(count: 3 << 20)) as Int == 3 << 20)
        await python.shutdown()
    }

    @Test func noneIsAReplyToo() async throws {
        let python = try await startServer([fixtureModule])
        #expect(try await python.call("fixture.nothing") == .none)
        #expect(try await python.call("fixture.nothing") as Int? == nil)
        await python.shutdown()
    }

    @Test func anExceptionIsATypedErrorWithItsTracebackAndCause() async throws {
        let python = try await startServer([fixtureModule])
        let error = await #expect(throws: JinnError.self) { try await python.call("fixture.fail", "bad value") }
        guard case .python(let exception, let termination)? = error else {
            Issue.record("expected a Python exception, got \(String(describing: error))")
            return
        }
        #expect(termination == nil)
        #expect(exception.typeName == "ValueError")
        #expect(exception.message == "bad value")
        #expect(exception.frames.map(\.function) == ["fail"])
        #expect(exception.frames.first?.file == "<jinn>/fixture.py")
        #expect(exception.cause?.typeName == "KeyError")
        await python.shutdown()
    }

    @Test func noErrorStateLeaksIntoLaterCalls() async throws {
        let python = try await startServer([fixtureModule])
        for round in 0..<3 {
            do {
                let error = await failure { () async throws(JinnError) in
                    _ = try await python.call("fixture.fail", "round \(round)")
                }
                if case .python(let exception, _)? = error {
                    #expect(exception.message == "round \(round)")
                    #expect(exception.frames.count == 1)
                    #expect(exception.context == nil)
                    #expect(exception.formattedTraceback.components(separatedBy: "Traceback").count == 3)
                } else {
                    Issue.record("unexpected outcome: \(String(describing: error))")
                }
            }
            #expect(try await python.call("fixture.add", round, 1) as Int == round + 1)
            #expect(try await python.call("sys.exc_info") == .tuple([.none, .none, .none]))
        }
        await python.shutdown()
    }

    @Test func missingModulesFunctionsAndAttributesAreNamed() async throws {
        let python = try await startServer([fixtureModule])
        for (name, type, mention) in [
            ("no_such_module.f", "ModuleNotFoundError", "no_such_module"),
            ("fixture.no_such_function", "AttributeError", "no_such_function"),
            ("fixture.Point.missing", "AttributeError", "missing"),
            ("no_such_builtin", "NameError", "no_such_builtin"),
            ("not-a-name", "ValueError", "not-a-name"),
        ] {
            do {
                let error = await failure { () async throws(JinnError) in
                    _ = try await python.call(name)
                }
                if case .python(let exception, _)? = error {
                    #expect(exception.typeName == type)
                    #expect(exception.message.contains(mention), "\(exception.message)")
                    #expect(exception.frames.isEmpty)
                } else {
                    Issue.record("unexpected outcome: \(String(describing: error))")
                }
            }
        }
        await python.shutdown()
    }

    @Test func aResultPythonCannotSendNamesItsType() async throws {
        let python = try await startServer([fixtureModule])
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await python.call("fixture.complex_result")
            }
            if case .python(let exception, _)? = error {
                #expect(exception.typeName == "TypeError")
                #expect(exception.message.contains("builtins.complex"))
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await python.call("object")
            }
            if case .python(let exception, _)? = error {
                #expect(exception.message.contains("builtins.object"))
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        #expect(try await python.call("fixture.add", 1, 1) as Int == 2)
        await python.shutdown()
    }

    @Test func aResultThatDoesNotFitTheSwiftTypeSaysWhere() async throws {
        let python = try await startServer([fixtureModule])
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await python.call("fixture.echo", ["a": [1, 2]], as: [String: [String]].self)
            }
            if case .valueConversion(let message)? = error {
                #expect(message.contains("the result of fixture.echo"))
                #expect(message.contains("expected a str, found int 1"), "\(message)")
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        await python.shutdown()
    }

    @Test func manyCallsInFlightFromManyTasks() async throws {
        let python = try await startServer([fixtureModule])
        let sums = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for index in 0..<400 {
                group.addTask { (index, try await python.call("fixture.add", index, index)) }
            }
            var sums: [Int: Int] = [:]
            for try await (index, sum) in group { sums[index] = sum }
            return sums
        }
        #expect(sums.count == 400)
        #expect(sums.allSatisfy { $0.value == 2 * $0.key })
        await python.shutdown()
    }

    @Test func aSlowCallDoesNotBlockTheOthers() async throws {
        let python = try await startServer([fixtureModule])
        // The first call blocks until the last one opens the gate: the calls between, and the last, must get
        // through while it waits (the timeout only turns a failure into an error instead of a hang).
        async let blocked: String = python.call("fixture.wait_at_gate", timeout: .seconds(60))
        for index in 0..<20 {
            #expect(try await python.call("fixture.add", index, 1) as Int == index + 1)
        }
        try await python.call("fixture.open_gate")
        #expect(try await blocked == "through")
        await python.shutdown()
    }

    @Test func asyncFunctionsRunOnAnEventLoop() async throws {
        let python = try await startServer([fixtureModule])
        #expect(try await python.call("fixture.async_add", 2, 3) as Int == 5)
        let sums = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<50 { group.addTask { try await python.call("fixture.async_add", index, 1) } }
            return try await group.reduce(0, +)
        }
        #expect(sums == (1...50).reduce(0, +))
        await python.shutdown()
    }

    @Test func aTimeoutInterruptsThePythonCodeAndTheInterpreterCarriesOn() async throws {
        let python = try await startServer([fixtureModule])
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await python.call("fixture.spin", "timed out", timeout: .milliseconds(150))
            }
            if case .timedOut(let operation, let seconds)? = error {
                #expect(operation.contains("fixture.spin"))
                #expect(seconds == 0.15)
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        try await waitUntil { try await python.call("fixture.interrupted") == ["timed out"] }
        #expect(try await python.call("fixture.add", 1, 2) as Int == 3)
        await python.shutdown()
    }

    @Test func cancellingTheCallingTaskInterruptsThePythonCode() async throws {
        let python = try await startServer([fixtureModule])
        let task = Task { try await python.call("fixture.spin", "cancelled") }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let result = await task.result
        guard case .failure(JinnError.cancelled(let operation)) = result else {
            Issue.record("expected a cancellation, got \(result)")
            return
        }
        #expect(operation.contains("fixture.spin"))
        try await waitUntil { try await python.call("fixture.interrupted") == ["cancelled"] }
        #expect(try await python.call("fixture.add", 2, 2) as Int == 4)
        await python.shutdown()
    }

    @Test func aTimeoutCancelsAnAsyncTask() async throws {
        let python = try await startServer([fixtureModule])
        // The event loop starts with the first async call; a task cancelled before it ever ran sees nothing.
        #expect(try await python.call("fixture.async_add", 1, 1) as Int == 2)
        await #expect(throws: JinnError.self) {
            try await python.call("fixture.async_wait", "async", timeout: .milliseconds(100))
        }
        try await waitUntil { try await python.call("fixture.interrupted") == ["async"] }
        await python.shutdown()
    }

    @Test func whenTheProcessDiesEveryPendingCallFailsWithItsSignal() async throws {
        let python = try await startServer([fixtureModule])
        let pending = (0..<5).map { _ in Task { try await python.call("fixture.wait_at_gate") } }
        try await waitUntil { try await python.call("fixture.waiting") == 5 }
        python.kill()
        for task in pending {
            let result = await task.result
            guard case .failure(JinnError.processNotRunning(let termination)) = result else {
                Issue.record("expected the call to fail with the process's end, got \(result)")
                continue
            }
            #expect(termination == .signaled(SIGKILL))
            #expect("\(JinnError.processNotRunning(termination))".contains("SIGKILL"))
        }
        await #expect(throws: JinnError.self) { try await python.call("fixture.add", 1, 2) }
    }

    @Test func aCallThatKillsItsProcessFails() async throws {
        let python = try await startServer([fixtureModule])
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await python.call("fixture.die")
            }
            if case .processNotRunning(let termination)? = error {
                #expect(termination == .signaled(9))
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
    }

    @Test func garbageOnTheChannelIsAProtocolErrorNotAHang() async throws {
        let python = try await startServer([fixtureModule])
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await python.call("fixture.write_garbage")
            }
            if case .protocolViolation(let message)? = error {
                #expect(message.contains("bytes"), "\(message)")
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        await python.wait()
    }

    @Test func messagesOverTheSizeLimitAreRefused() async throws {
        var options = LaunchOptions()
        options.maximumMessageSize = 1 << 20
        options.standardOutput = .null
        options.standardError = .null
        let python = try await startServer([fixtureModule], options: options)
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await python.call("len", Data(count: 2 << 20))
            }
            if case .protocolViolation(let message)? = error {
                #expect(message.contains("exceeds the limit"))
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await python.call("fixture.big", 2 << 20)
            }
            if case .python(let exception, _)? = error {
                #expect(exception.message.contains("limit"))
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        #expect(try await python.call("fixture.big", 1000) as Data == Data(repeating: UInt8(ascii: "x"), count: 1000))
        await python.shutdown()
    }

    @Test func shutdownEndsAProgramThatDoesNotServeAfterItsTimeout() async throws {
        let program = PythonProgram(main: "import time\nwhile True:\n    time.sleep(0.05)\n")
        var options = LaunchOptions()
        options.terminationGracePeriod = .seconds(1)
        let python = try await PythonProcess.start(program, interpreter: try await PythonInterpreter.system(),
                                                   options: options)
        let clock = ContinuousClock()
        let started = clock.now
        let termination = await python.shutdown(timeout: .milliseconds(200))
        #expect(termination == .signaled(SIGTERM))
        #expect(clock.now - started < .seconds(5))
    }

    @Test func shutdownLetsTheProgramFinish() async throws {
        let program = PythonProgram(main: "import jinn\njinn.serve()\nprint('after serve')\n")
        let python = try await PythonProcess.start(program, interpreter: try await PythonInterpreter.system())
        #expect(try await python.call("len", "ab") as Int == 2)
        let termination = await python.shutdown()
        #expect(termination == .exited(0))
        #expect(await python.standardOutput.text() == "after serve\n")
        await #expect(throws: JinnError.self) { try await python.call("len", "ab") }
    }
}

/// Polls `condition` until it holds; gives up after a minute (a bound against hangs, not a timing check).
func waitUntil(_ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(60)
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("the condition did not hold within a minute")
            return
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

let packageModule = PythonModule(name: "pkg", source: "", isPackage: true)
let subModule = PythonModule(name: "pkg.sub", source: """
    class Shape:
        @classmethod
        def sides(cls, name):
            return {"triangle": 3, "square": 4}[name]
    """)
