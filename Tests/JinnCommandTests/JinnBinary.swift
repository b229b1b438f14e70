import Foundation
import Jinn

/// Runs the built `jinn` asynchronously, so that a test can run several at the same time.
enum JinnBinary {
    static var path: String { CommandRunner.executable.path }

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
