import Foundation
import Jinn
import Testing

/// `jinn` against `python3` on what a script finds below its own frame: nothing. A warm run is forked deep inside
/// the zygote's loop, yet `traceback.print_stack()`, `inspect.stack()`, `sys._getframe()`, `logging`'s stack and
/// `warnings`' `stacklevel` must see what they see under `python3`.
@Suite(.serialized)
struct RunStackParityTests {
    static let stack = """
        import inspect, logging, sys, traceback, warnings
        traceback.print_stack()
        frame, depth = sys._getframe(), 0
        while frame is not None:
            depth, frame = depth + 1, frame.f_back
        print("frames", depth, "inspect.stack", len(inspect.stack()))
        logging.basicConfig(format="%(message)s", stream=sys.stdout)
        logging.warning("logged", stack_info=True)
        warnings.warn("past the first frame", stacklevel=3)
        """

    @Test func aScriptsFrameIsTheFirstOnTheStackAsUnderPython3() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("stack.py", Self.stack)
        try box.script("package/__main__.py", Self.stack)
        for arguments in [["stack.py"], ["-c", Self.stack], ["-m", "stack"], ["package"]] {
            let jinn = try box.jinn(arguments)
            let python = try box.python3(arguments)
            #expect(jinn == python, "\(arguments): jinn \(jinn)\npython3 \(python)")
            #expect(jinn.termination == .exited(0))
        }
        let input = Data(Self.stack.utf8)
        let jinn = try box.jinn(["-"], input: input)
        let python = try box.python3(["-"], input: input)
        #expect(jinn == python, "a script on standard input: jinn \(jinn)\npython3 \(python)")
    }

    @Test func recursionErrorComesAtPython3sDepth() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("recursion.py", """
            import sys
            def deepest(depth):
                try:
                    return deepest(depth + 1)
                except RecursionError:
                    return depth
            print(sys.version_info[:2] >= (3, 12), deepest(0))
            """)
        let jinn = try box.jinn(["recursion.py"])
        let python = try box.python3(["recursion.py"])
        let words = python.output.split(whereSeparator: \.isWhitespace)
        let (countsPythonFramesOnly, deepest) = (words.first == "True", try #require(Int(words.last ?? "")))
        // Up to Python 3.11 a call of a built-in function counts against the limit, and one stays between the
        // interpreter and a warm run's script (jinn._bottom); from 3.12 on only Python frames count.
        let expected = countsPythonFramesOnly ? deepest : deepest - 1
        #expect(jinn.output == "\(words[0]) \(expected)\n", "jinn \(jinn)\npython3 \(python)")
        #expect(jinn.termination == .exited(0))
    }
}
