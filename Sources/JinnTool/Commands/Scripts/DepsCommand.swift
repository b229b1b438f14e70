import ArgumentParser
import Foundation
import Jinn

/// `jinn deps SCRIPT`: what a script would get, and which environment holds it; nothing is installed.
struct DepsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deps",
        abstract: "Show a script's dependencies, its interpreter and the environment that holds them.",
        discussion: "Reads the script's `# /// script` block, the given --with and --requirements, and SCRIPT.lock."
    )

    @OptionGroup var sources: ScriptSourceOptions

    @Argument(help: "The script.")
    var script: String

    func run() async throws {
        try await reportingScriptFailures { () async throws(ScriptRunFailure) in
            let plan = try sources.plan(script: script, defaultInterpreter: try ScriptEnvironmentMaker.defaultInterpreter())
            let interpreter: PythonInterpreter
            do {
                interpreter = try await plan.interpreter()
            } catch {
                throw .environment("\(error)")
            }
            let cache = ScriptEnvironmentMaker.cache
            var lines = ["script:          \(script)"]
            lines.append("requirements:    " + (plan.needs.requirementLines.isEmpty ? "none"
                : plan.needs.requirementLines.joined(separator: ", ")))
            if let requiresPython = plan.metadata?.requiresPython {
                lines.append("requires-python: \(requiresPython)")
            }
            if let lock = plan.needs.lock, let path = plan.lockPath {
                lines.append("lock:            \(path) (\(lock.packages.count) pins, hash-checked)")
            }
            if !plan.needs.preload.isEmpty { lines.append("preload:         " + plan.needs.preload.joined(separator: ", ")) }
            lines.append("interpreter:     \(interpreter.executable) (\(interpreter.version))")
            let path = cache.path(for: plan.needs, interpreter: interpreter)
            if cache.existing(for: plan.needs, interpreter: interpreter) != nil {
                lines.append("environment:     \(path) (ready)")
                let packages = (try? await VirtualEnvironment(at: path).installedPackages()) ?? []
                for package in packages { lines.append("  \(package.name) \(package.version)") }
            } else {
                lines.append("environment:     \(path) (not made yet; the next run makes it)")
            }
            print(lines.joined(separator: "\n"))
        }
    }
}
