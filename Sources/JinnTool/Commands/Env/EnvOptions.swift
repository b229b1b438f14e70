import ArgumentParser
import Foundation
import Jinn

extension InstallerChoice: ExpressibleByArgument {}

/// Where environments are: `--root` and how an ENV argument is read.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The root of named environments.")
    var root: String?

    var store: EnvironmentStore { EnvironmentStore(root: root) }

    /// The directory an ENV argument means: a path when it contains a '/', else a name in the store.
    func path(of environment: String) throws(JinnError) -> String {
        environment.contains("/") ? environment : try store.path(of: environment)
    }

    /// The existing environment an ENV argument means.
    func environment(_ argument: String) throws(JinnError) -> VirtualEnvironment {
        argument.contains("/") ? try VirtualEnvironment(at: argument) : try store.environment(named: argument)
    }
}

/// Which installer runs.
struct InstallerOptions: ParsableArguments {
    @Option(name: .long, help: "auto, uv or pip (default: $JINN_INSTALLER, else auto).")
    var installer: InstallerChoice?

    @Option(name: .long, help: "Jinn's cache, where uv is installed when it is not on PATH.")
    var cacheDir: String?

    func choice() throws -> InstallerChoice {
        if let installer { return installer }
        if let fromEnvironment = ProcessInfo.processInfo.environment["JINN_INSTALLER"], !fromEnvironment.isEmpty {
            guard let choice = InstallerChoice(rawValue: fromEnvironment) else {
                throw ValidationError("JINN_INSTALLER is '\(fromEnvironment)'; use auto, uv or pip")
            }
            return choice
        }
        return .automatic
    }
}

/// Where distributions come from.
struct IndexOptions: ParsableArguments {
    @Option(name: .customLong("index-url"), help: "The package index to use instead of the default one.")
    var indexURL: String?

    @Option(name: .customLong("extra-index-url"), help: "A further package index (repeatable).")
    var extraIndexURLs: [String] = []

    @Flag(name: .long, help: "Bypass the installer's cache.")
    var noCache = false

    func request(_ requirements: [String] = [], files: [String] = []) -> InstallRequest {
        InstallRequest(requirements, requirementFiles: files, indexURL: indexURL, extraIndexURLs: extraIndexURLs,
                       noCache: noCache)
    }
}

/// The interpreter an environment is made from.
struct InterpreterOption: ParsableArguments {
    @Option(name: .long, help: "The base Python interpreter (default: python3 on PATH).")
    var python: String?

    func interpreter() async throws(JinnError) -> PythonInterpreter {
        try await PythonInterpreter.chosen(python)
    }
}

/// Runs `body` and turns a Jinn error into a message on standard error and exit status 1.
func reportingErrors(_ reporter: ProgressReporter? = nil, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as JinnError {
        reporter?.finish()
        FileHandle.standardError.write(Data("jinn: \(error)\n".utf8))
        throw ExitCode(1)
    }
    reporter?.finish()
}

/// The environment and what goes into it, for `jinn env create` and `jinn env install`.
struct PackageArguments: ParsableArguments {
    @Argument(help: "A name, or a path containing '/'.")
    var environment: String

    @Argument(help: "Packages: names with version specifiers, local paths, wheels (conda packages with --conda).")
    var packages: [String] = []

    @Option(name: [.customShort("r"), .customLong("requirement")], help: "A requirements file (repeatable).")
    var requirementFiles: [String] = []

    @Option(name: .long, help: "Use micromamba or conda (which must be on PATH) for a conda environment and packages.")
    var conda: CondaBackend.Flavor?

    @Option(name: .long, help: "A conda channel (repeatable; with --conda).")
    var channel: [String] = []

    @Flag(name: .shortAndLong, help: "Print no progress.")
    var quiet = false
}
