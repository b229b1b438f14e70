import Foundation
import Testing

/// `Scripts/regression-suites.sh` on two of CPython's own suites: the same test cases pass, fail and are skipped
/// under `jinn -m test` as under `python3 -m test`. (The README's full set takes minutes; these, seconds.)
/// test_atexit ends runs as the interpreter does; test_sys looks at the stack, the recursion limit and the flags.
@Suite(.serialized)
struct RegressionSuiteTests {
    @Test(arguments: ["test_atexit", "test_sys"])
    func cpythonsSuiteEndsAlikeUnderJinnAndPython3(_ suite: String) async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let script = CommandRunner.packageRoot.appending(path: "Scripts/regression-suites.sh").path
        let outcome = try box.jinnShell("'\(script)' '\(CommandRunner.executable.path)' '\(box.python.executable)' \(suite)")
        #expect(outcome.termination == .exited(0), "\(outcome)")
        #expect(outcome.output.hasPrefix("\(suite): python3 status 0 ("), "\(outcome)")
        #expect(outcome.output.contains("); jinn status 0 ("), "\(outcome)")
    }
}
