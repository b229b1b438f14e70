import Foundation
import Jinn
import Testing

/// Runs the Python half's own unit tests (`Tests/Python`, unittest, standard library only) with the interpreter
/// the other tests use.
@Suite("The Python side's unit tests")
struct PythonSideTests {
    @Test func unittestDiscoverPasses() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let python = try await PythonInterpreter.system()
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = root.appending(path: "Sources/Jinn/Python").path
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        let tests = root.appending(path: "Tests/Python").path
        let (termination, _, errors) = try await runCapturing(
            python.executable, ["-m", "unittest", "discover", "-s", tests, "-t", tests], environment: environment)
        #expect(termination == .exited(0), "\(String(decoding: errors, as: UTF8.self))")
    }
}
