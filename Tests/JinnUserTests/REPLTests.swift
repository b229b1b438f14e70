import Jinn
import Testing

/// REPL sessions as a user starts them.
@Suite struct REPLTests {
    @Test func setupRunsInTheSessionsNamespace() async throws {
        var options = REPLSession.defaultLaunchOptions
        options.standardOutput = .null
        let session = try await REPLSession.start(options: options, setup: "import math\nradius = 2")
        #expect(try await session.execute("math.tau * radius").value == "12.566370614359172")
        await session.close()
    }

    @Test func setupThatRaisesIsThrownAndEndsTheProcess() async throws {
        let error = await failure { () async throws(JinnError) in
            _ = try await REPLSession.start(setup: "import no_such_module_here")
        }
        guard case .python(let exception, _)? = error else {
            Issue.record("expected a Python error, got \(String(describing: error))")
            return
        }
        #expect(exception.typeName == "ModuleNotFoundError")
    }

    @Test func interactiveModeHasAValueOnlyForATopLevelExpression() async throws {
        let session = try await REPLSession.start()
        let loop = try await session.execute("for i in range(3): i\n\n", mode: .interactive)
        #expect(loop.value == nil)
        #expect(loop.standardOutput == "0\n1\n2\n")  // echoed, as python3 does
        #expect(try await session.execute("i * 10", mode: .interactive).value == "20")
        await session.close()
    }

    @Test func theInputHandlerFeedsInput() async throws {
        let session = try await REPLSession.start()
        session.inputHandler = { prompt in prompt == "Name: " ? "Ada" : nil }
        #expect(try await session.execute("input('Name: ')").value == "'Ada'")
        await session.close()
    }
}
