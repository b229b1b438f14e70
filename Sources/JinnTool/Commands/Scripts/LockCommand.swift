import ArgumentParser
import Foundation
import Jinn

/// `jinn lock SCRIPT`: resolves the script's dependencies and writes `SCRIPT.lock` beside it, with every pin's
/// hashes; from then on the script runs exactly those pins, hash-checked.
struct LockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Write SCRIPT.lock: the exact versions and hashes of the script's dependencies.",
        discussion: "Runs of a script with a lock install exactly its pins, checking their hashes. Run it again "
            + "after changing the script's dependencies."
    )

    @OptionGroup var sources: ScriptSourceOptions

    @Argument(help: "The script.")
    var script: String

    func run() async throws {
        try await reportingScriptFailures { () async throws(ScriptRunFailure) in
            let plan = try sources.plan(script: script, defaultInterpreter: try ScriptEnvironmentMaker.defaultInterpreter(),
                                        useLock: false)
            guard !plan.needs.requirements.isEmpty else {
                throw .input("\(script) has no dependencies to lock (no `# /// script` block with dependencies, "
                    + "no --with, no --requirements)")
            }
            let reporter = ProgressReporter(quiet: isatty(STDERR_FILENO) != 1)
            let environment = try await ScriptEnvironmentMaker.prepare(plan, reporter: reporter)
            var options = FreezeOptions()
            options.cacheDirectory = ScriptEnvironmentMaker.cache.cacheDirectory
            do {
                options.installer = try ScriptEnvironmentMaker.installer()
                let lock = try await VirtualEnvironment(at: environment.path).freeze(options: options,
                                                                                     progress: reporter.handler)
                reporter.finish()
                try lock.write(to: script + ".lock")
                print("wrote \(script).lock (\(lock.packages.map(\.description).joined(separator: ", ")))")
            } catch {
                reporter.finish()
                throw .environment("\(error)")
            }
        }
    }
}
