import Foundation
import Jinn
import Testing

/// A second start of the same interpreter loads compiled code instead of compiling the sources again.
struct CodeCacheTests {
    @Test func theSecondStartUsesCodeCompiledByTheFirst() async throws {
        let marker = UUID().uuidString
        var program = PythonProgram(main: """
            import jinn, sys, fresh
            jinn.send([sys.modules["fresh"].__loader__.code is not None, fresh.MARKER])
            """)
        try program.add(PythonModule(name: "fresh", source: "MARKER = '\(marker)'\n"))
        let first = try await runToEnd(program)
        let second = try await runToEnd(program)
        #expect(first.messages == [[false, .string(marker)]], "\(first.standardError)")
        #expect(second.messages == [[true, .string(marker)]], "\(second.standardError)")
    }

    @Test func changedSourceIsCompiledAfresh() async throws {
        for value in [UUID().uuidString, UUID().uuidString] {
            var program = PythonProgram(main: "import jinn, changing\njinn.send(changing.VALUE)\n")
            try program.add(PythonModule(name: "changing", source: "VALUE = '\(value)'\n"))
            #expect(try await runToEnd(program).messages == [.string(value)])
        }
    }
}
