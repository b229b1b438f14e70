import ArgumentParser
import Foundation
import Jinn

/// `jinn env install ENV PACKAGE…`.
struct EnvInstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install packages into an existing environment."
    )

    @OptionGroup var location: StoreOptions
    @OptionGroup var installer: InstallerOptions
    @OptionGroup var index: IndexOptions

    @Argument(help: "A name, or a path containing '/'.")
    var environment: String

    @Argument(help: "Packages: names with version specifiers, local paths, wheels (conda packages with --conda).")
    var packages: [String] = []

    @Option(name: [.customShort("r"), .customLong("requirement")], help: "A requirements file (repeatable).")
    var requirementFiles: [String] = []

    @Option(name: .long, help: "Install conda packages with micromamba or conda.")
    var conda: CondaBackend.Flavor?

    @Option(name: .long, help: "A conda channel (repeatable; with --conda).")
    var channel: [String] = []

    @Flag(name: .shortAndLong, help: "Print no progress.")
    var quiet = false

    func validate() throws {
        if packages.isEmpty && requirementFiles.isEmpty {
            throw ValidationError("name at least one package or requirements file (-r)")
        }
    }

    func run() async throws {
        let reporter = ProgressReporter(quiet: quiet)
        try await reportingErrors(reporter) {
            let target = try location.environment(environment)
            if let conda {
                try await CondaBackend.find(conda).install(packages, into: target.path, channels: channel,
                                                           progress: reporter.handler)
            } else {
                try await target.install(index.request(packages, files: requirementFiles),
                                         installer: try installer.choice(), cacheDirectory: installer.cacheDir,
                                         progress: reporter.handler)
            }
            reporter.finish()
            print("installed into \(target.path)")
        }
    }
}
