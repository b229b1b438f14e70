import ArgumentParser
import Foundation
import Jinn
import JinnDaemonCore
import JinnSystem

/// `--with` and `--requirements`, as `jinn` takes them before a script.
struct ScriptSourceOptions: ParsableArguments {
    @Option(name: .customLong("with"), help: "A requirement the run needs besides the script's (repeatable).")
    var with: [String] = []

    @Option(name: .customLong("requirements"), help: "A file of requirements the run needs (repeatable).")
    var requirementFiles: [String] = []

    func plan(script: String?, defaultInterpreter: String, useLock: Bool = true) throws(ScriptRunFailure)
        -> ScriptRunPlan
    {
        do {
            return try ScriptRunPlan(script: script, with: with, requirementFiles: requirementFiles,
                                     defaultInterpreter: defaultInterpreter, useLock: useLock)
        } catch {
            throw .input(error.description)
        }
    }
}

/// Why a script's environment could not be had, and the exit status that says so: 2 for what the user gave
/// (a malformed block, a requirement that is not one, a file that cannot be read), 3 for what could not be made
/// of it (the installer failed, no interpreter matches).
enum ScriptRunFailure: Error, CustomStringConvertible {
    case input(String)
    case environment(String)

    var description: String {
        switch self {
        case .input(let message), .environment(let message): message
        }
    }

    var exitStatus: Int32 {
        switch self {
        case .input: 2
        case .environment: 3
        }
    }
}

/// Makes script environments in Jinn's cache.
enum ScriptEnvironmentMaker {
    static var cache: ScriptEnvironmentCache { ScriptEnvironmentCache(cacheDirectory: ScriptRunIndex.cacheDirectory()) }

    /// The environment of a plan, made if it does not exist; then the environments unused for the configured time
    /// (`environment_max_age`) go.
    static func prepare(_ plan: ScriptRunPlan, reporter: ProgressReporter) async throws(ScriptRunFailure)
        -> ScriptEnvironment
    {
        do {
            let interpreter = try await plan.interpreter()
            var options = EnvironmentOptions()
            options.installer = try installer()
            let made = try await cache.prepare(plan.needs, interpreter: interpreter, options: options,
                                               progress: reporter.handler)
            reporter.finish()
            if made.created, let days = try? Configuration.resolve().environmentMaxAge, days > 0 {
                await cache.remove(unusedFor: .seconds(days * 24 * 3600))
            }
            return made.environment
        } catch {
            reporter.finish()
            throw .environment(error.description)
        }
    }

    static func installer() throws(JinnError) -> InstallerChoice {
        guard let name = ProcessInfo.processInfo.environment["JINN_INSTALLER"], !name.isEmpty else { return .automatic }
        guard let choice = InstallerChoice(rawValue: name) else {
            throw .environment(.toolNotFound(tool: "the installer '\(name)'", hint: "JINN_INSTALLER takes auto, uv or pip"))
        }
        return choice
    }

    /// The interpreter a run uses when its script asks for none: the configured one, else `python3` on `PATH`.
    static func defaultInterpreter() throws(ScriptRunFailure) -> String {
        let configured = try? Configuration.resolve().interpreter
        guard let path = configured ?? ExecutableSearch.find(["python3", "python"]) else {
            throw .environment("no python3 on PATH; install Python or set 'interpreter' in the configuration")
        }
        return path
    }
}

/// Runs `body`; a failure is printed as `jinn: …` and ends the command with its status.
func reportingScriptFailures(_ body: () async throws(ScriptRunFailure) -> Void) async throws {
    do {
        try await body()
    } catch {
        FileHandle.standardError.write(Data("jinn: \(error)\n".utf8))
        throw ExitCode(error.exitStatus)
    }
}
