import ArgumentParser
import Foundation
import Jinn
import JinnDaemonCore
import JinnSystem

/// `jinn-tool prepare-run …`: what the `jinn` client hands over when a run's environment is not ready. It reads
/// and checks the dependencies, makes the environment, records it in the run index, and runs `jinn` again with the
/// original arguments, which now finds the environment warm.
struct PrepareRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare-run",
        abstract: "Make a script run's environment, then run it (used by the jinn client).",
        shouldDisplay: false
    )

    @OptionGroup var sources: ScriptSourceOptions

    @Option(name: .long, help: "The script (none for -c and -m).")
    var script: String?

    @Option(name: .long, help: "The interpreter used when the script does not ask for another.")
    var python: String

    @Flag(name: .long, help: "Show the progress even when standard error is not a terminal.")
    var verbose = false

    @Argument(parsing: .postTerminator, help: "The jinn command line to run once the environment is ready.")
    var original: [String] = []

    func run() async throws {
        try await reportingScriptFailures { () async throws(ScriptRunFailure) in try await prepareAndRun() }
    }

    private func prepareAndRun() async throws(ScriptRunFailure) {
        let plan = try sources.plan(script: script, defaultInterpreter: python)
        let reporter = ProgressReporter(quiet: !verbose && isatty(STDERR_FILENO) != 1)
        let environment = try await ScriptEnvironmentMaker.prepare(plan, reporter: reporter)
        guard let inputs = plan.inputs else {
            throw .input("the script or a requirements file changed or vanished while it was read")
        }
        do {
            try ScriptRunIndex.record(inputs, environment: environment.path, interpreter: environment.interpreter,
                                      cacheDirectory: ScriptEnvironmentMaker.cache.cacheDirectory)
        } catch {
            throw .environment("\(error)")
        }
        guard let client = Executables.sibling(Executables.client) else {
            throw .environment("cannot find the jinn executable beside jinn-tool")
        }
        let arguments = CStringArray([client] + original)
        arguments.withUnsafePointer { _ = execv(client, $0) }
        throw .environment("cannot run \(client): \(String(cString: strerror(errno)))")
    }
}
