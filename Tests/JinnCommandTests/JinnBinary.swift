import Foundation
import Jinn

/// The built `jinn` executable, found beside the test runner, and a way to run it.
enum JinnBinary {
    static let path: String = {
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: runner).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("jinn").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return "jinn (not built: run `swift build` first)"
    }()

    /// The result of one run.
    struct Run {
        var termination: Termination
        var output: String
        var errors: String
    }

    /// Runs `jinn arguments…` with this process's environment plus `environment`.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Run {
        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let (termination, output, errors) = try await runCapturing(path, arguments, environment: merged)
        return Run(termination: termination, output: String(decoding: output, as: UTF8.self),
                   errors: String(decoding: errors, as: UTF8.self))
    }
}
