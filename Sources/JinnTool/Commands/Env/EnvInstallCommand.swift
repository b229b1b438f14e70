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
    @OptionGroup var contents: PackageArguments

    func validate() throws {
        if contents.packages.isEmpty && contents.requirementFiles.isEmpty {
            throw ValidationError("name at least one package or requirements file (-r)")
        }
    }

    func run() async throws {
        let reporter = ProgressReporter(quiet: contents.quiet)
        try await reportingErrors(reporter) {
            let target = try location.environment(contents.environment)
            if let conda = contents.conda {
                try await CondaBackend.find(conda).install(contents.packages, into: target.path,
                                                           channels: contents.channel, progress: reporter.handler)
            } else {
                try await target.install(index.request(contents.packages, files: contents.requirementFiles),
                                         installer: try installer.choice(), cacheDirectory: installer.cacheDir,
                                         progress: reporter.handler)
            }
            reporter.finish()
            print("installed into \(target.path)")
        }
    }
}
