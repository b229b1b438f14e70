import Foundation
import Jinn
import Testing

/// The Python half of Jinn has unit tests of its own, in `Tests/Python`; this runs them in a plain interpreter
/// (not through Jinn, whose in-memory `jinn` package would shadow the sources under test).
struct PythonSideTests {
    @Test func pythonUnitTestsPass() async throws {
        let python = try await systemPython()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python.executable)
        process.arguments = ["-m", "unittest", "discover", "-v", "-s", "Tests/Python", "-t", "Tests/Python"]
        process.currentDirectoryURL = root
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let report = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(report)")
        #expect(report.contains("\nOK"), "\(report)")
        #expect(!report.contains("Ran 0 tests"))
    }
}
