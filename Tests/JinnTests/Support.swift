import Foundation
import Jinn
import JinnWire
import Testing

/// The interpreter every test uses: `python3` on PATH, resolved once.
func systemPython() async throws -> PythonInterpreter {
    try await PythonInterpreter.system()
}

/// What a finished program produced.
struct Outcome {
    var termination: Termination
    var standardOutput: String
    var standardError: String
    var messages: [PythonValue]
    var exception: PythonException?
}

/// Runs a program to completion, collecting its output, messages and uncaught exception.
func runToEnd(_ program: PythonProgram, options: LaunchOptions = LaunchOptions(), input: String? = nil)
    async throws -> Outcome
{
    var options = options
    if input != nil { options.standardInput = .pipe }
    let process = try await PythonProcess.start(program, interpreter: try await systemPython(), options: options)
    if let input {
        try await process.writeToStandardInput(input)
        process.closeStandardInput()
    }
    async let output = process.standardOutput.text()
    async let errors = process.standardError.text()
    async let messages: [PythonValue] = {
        var values: [PythonValue] = []
        for await value in process.messages { values.append(value) }
        return values
    }()
    let termination = await process.wait()
    return Outcome(termination: termination, standardOutput: await output, standardError: await errors,
                   messages: await messages, exception: process.uncaughtException)
}

/// Writes files (relative path → contents) under `root`.
func writeFiles(_ files: [String: String], under root: URL) throws {
    for (path, contents) in files {
        let url = root.appending(path: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: url, atomically: true, encoding: .utf8)
    }
}

/// The number of descriptors this process has open.
func openDescriptorCount() throws -> Int {
    try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
}

/// Whether a process with this pid exists (a zombie counts).
func processExists(_ pid: Int32) -> Bool {
    FileManager.default.fileExists(atPath: "/proc/\(pid)")
}

/// Polls `condition` every 10 ms for at most `seconds`.
func eventually(within seconds: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
