import Jinn
import JinnWire
import Testing

@Suite("Python services")
struct RPCServiceTests {
    static let counters = PythonModule(name: "counters", source: """
        import jinn

        @jinn.expose
        class Counter:
            \"\"\"Counts.\"\"\"
            def __init__(self, start=0):
                self.total = start

            def add(self, n=1):
                \"\"\"Adds n and returns the total.\"\"\"
                self.total += n
                return self.total

            async def current(self):
                return self.total

            def _secret(self):
                return "hidden"

            @property
            def doubled(self):
                raise AssertionError("discovery must not read properties")

        class Registry(jinn.Service):
            def names(self, prefix: str = "") -> list:
                return [prefix + "a", prefix + "b"]

        class NotExposed:
            def run(self):
                return 1

        jinn.expose(Counter(100), name="shared")
        """)

    @Test func anInstanceKeepsItsStateBetweenCalls() async throws {
        let python = try await startServer([Self.counters], setup: "import counters")
        let counter = try await python.makeService("counters.Counter", 10)
        #expect(try await counter.call("add", 5) as Int == 15)
        #expect(try await counter.call("add") as Int == 16)
        #expect(try await counter.call("current") as Int == 16)
        let other = try await python.makeService("counters.Counter", keywords: ["start": 1])
        #expect(try await other.call("add", keywords: ["n": 1]) as Int == 2)
        await counter.close()
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await counter.call("add")
            }
            if case .python(let exception, _)? = error {
                #expect(exception.message.contains("no longer exists"))
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        await python.shutdown()
    }

    @Test func discoveryListsMethodsWithSignaturesAndDocstrings() async throws {
        let python = try await startServer([Self.counters], setup: "import counters")
        let counter = try await python.makeService("counters.Counter")
        let methods = try await counter.methods()
        #expect(methods.map(\.name) == ["add", "current"])
        #expect(methods[0] == PythonService.Method(name: "add", signature: "(n=1)",
                                                   documentation: "Adds n and returns the total.", isAsync: false))
        #expect(methods[1].isAsync)
        let registry = try await python.makeService("counters.Registry")
        #expect(try await registry.methods().map(\.signature) == ["(prefix: str = '') -> list"])
        #expect(try await registry.call("names", "x") as [String] == ["xa", "xb"])
        await python.shutdown()
    }

    @Test func objectsExposedByName() async throws {
        let python = try await startServer([Self.counters], setup: "import counters")
        let shared = try await python.service(named: "shared")
        #expect(try await shared.call("add", 1) as Int == 101)
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await python.service(named: "nobody")
            }
            if case .python(let exception, _)? = error {
                #expect(exception.message.contains("'nobody'"))
                #expect(exception.message.contains("shared"))
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        await python.shutdown()
    }

    @Test func privateMethodsAndUnexposedClassesAreRefused() async throws {
        let python = try await startServer([Self.counters], setup: "import counters")
        let counter = try await python.makeService("counters.Counter")
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await counter.call("_secret")
            }
            if case .python(let exception, _)? = error {
                #expect(exception.message.contains("private"))
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await python.makeService("counters.NotExposed")
            }
            if case .python(let exception, _)? = error {
                #expect(exception.message.contains("@jinn.expose"))
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try await counter.call("missing")
            }
            if case .python(let exception, _)? = error {
                #expect(exception.typeName == "AttributeError")
                #expect(exception.message.contains("missing"))
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        await python.shutdown()
    }
}
