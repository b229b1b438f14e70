import Foundation
import Jinn
@_exported import JinnTestSupport
import Testing

/// A server process holding `source` as the module `user`, with its output dropped.
func startServer(module source: String = "", setup: String = "") async throws -> PythonProcess {
    var program = PythonProgram.server(setup: setup)
    try program.add(PythonModule(name: "user", source: source))
    var options = LaunchOptions()
    options.standardOutput = .null
    options.standardError = .null
    return try await PythonProcess.start(program, options: options)
}

/// Polls `condition` every 20 ms until it holds or `limit` has passed; returns whether it held.
///
/// The limit only turns a failure into a failed expectation instead of a hang; no test depends on its length.
func eventually(within limit: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
