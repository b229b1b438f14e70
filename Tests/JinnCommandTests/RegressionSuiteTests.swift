import Foundation
import Testing

/// `Scripts/regression-suites.sh` on one of CPython's own suites: the same test cases pass, fail and are skipped
/// under `jinn -m test` as under `python3 -m test`. (The README's full set takes minutes; this one, seconds.)
@Suite(.serialized)
struct RegressionSuiteTests {
    @Test func cpythonsAtexitSuiteEndsAlikeUnderJinnAndPython3() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let script = CommandRunner.packageRoot.appending(path: "Scripts/regression-suites.sh").path
        let outcome = try box.jinnShell("'\(script)' '\(CommandRunner.executable.path)' '\(box.python.executable)' test_atexit")
        #expect(outcome.termination == .exited(0), "\(outcome)")
        #expect(outcome.output.hasPrefix("test_atexit: python3 status 0 ("), "\(outcome)")
        #expect(outcome.output.contains(" ok); jinn status 0 ("), "\(outcome)")
    }
}
