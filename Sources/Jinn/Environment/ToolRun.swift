import Foundation

/// One run of an external tool (uv, pip, venv, conda) whose output is read line by line while it runs.
struct ToolRun {
    /// How the tool ended and what it printed (the last lines of each stream).
    struct Result: Sendable {
        var termination: Termination
        var output: [String]
        var errors: [String]

        /// Standard error, or standard output when standard error is empty.
        var tail: String {
            (errors.isEmpty ? output : errors).suffix(40).joined(separator: "\n")
        }
    }

    /// How many lines of each stream are kept for error messages.
    static let keptLines = 400

    /// Runs `executable` with standard input on `/dev/null`, calling `onLine` for every line of its output.
    ///
    /// Cancelling the calling task sends the tool SIGTERM (and its own children with it: it leads a process
    /// group) and waits for it to end. The group dies with this process too (see ``ToolGroupGuard``).
    static func run(_ executable: String, _ arguments: [String],
                    onLine: @escaping @Sendable (String) -> Void = { _ in })
        async throws(JinnError) -> Result
    {
        var descriptors = try ChildDescriptors(input: .null, output: .pipe, error: .pipe, channel: nil)
        var configuration = ChildProcess.Configuration(
            executable: executable, arguments: arguments,
            environment: toolEnvironment(), workingDirectory: nil, descriptors: [])
        configuration.newProcessGroup = true
        let child = try await ChildProcess.spawn(configuration, with: &descriptors)
        let guarding = await ToolGroupGuard(group: child.pid)
        defer { guarding.finish() }
        let output = OutputBuffer.reading(descriptors.standardOutput.take(), name: "jinn-tool-stdout")
        let errors = OutputBuffer.reading(descriptors.standardError.take(), name: "jinn-tool-stderr")
        return await withTaskCancellationHandler {
            async let outputLines = collect(ProcessOutput(buffer: output).lines, onLine)
            async let errorLines = collect(ProcessOutput(buffer: errors).lines, onLine)
            let termination = await child.wait()
            return Result(termination: termination, output: await outputLines, errors: await errorLines)
        } onCancel: {
            child.signal(SIGTERM, toGroup: true)
        }
    }

    private static func collect(_ lines: ProcessOutput.Lines, _ onLine: @Sendable (String) -> Void) async
        -> [String]
    {
        var kept: [String] = []
        for await line in lines {
            // A terminal-style progress line is redrawn with carriage returns: its last state is the line.
            let text = line.split(separator: "\r", omittingEmptySubsequences: true).last.map(String.init) ?? ""
            onLine(text)
            kept.append(text)
            if kept.count > keptLines * 2 { kept.removeFirst(kept.count - keptLines) }
        }
        return Array(kept.suffix(keptLines))
    }

    /// This process's environment, without what would point a tool at another environment than the one named
    /// on its command line.
    static func toolEnvironment(_ base: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var environment = base
        for name in ["VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONHOME", "PYTHONPATH", "PIP_REQUIRE_VIRTUALENV",
                     "PIP_USER", "UV_SYSTEM_PYTHON"] {
            environment[name] = nil
        }
        environment["PIP_NO_INPUT"] = "1"
        return environment
    }
}
