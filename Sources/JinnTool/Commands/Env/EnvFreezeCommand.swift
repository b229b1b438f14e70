import ArgumentParser
import Foundation
import Jinn

/// `jinn env freeze ENV [-o LOCK]`.
struct EnvFreezeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze",
        abstract: "Write a lock file: interpreter, platform, exact pins and hashes.",
        discussion: "Hashes come from uv (every distribution of each pinned version on the index); with pip "
            + "only archives installed from a path or URL have them."
    )

    @OptionGroup var location: StoreOptions
    @OptionGroup var installer: InstallerOptions

    @Argument(help: "A name, or a path containing '/'.")
    var environment: String

    @Option(name: .shortAndLong, help: "The lock file to write (default: standard output).")
    var output: String?

    @Flag(name: .long, help: "Leave hashes out (no index is asked).")
    var noHashes = false

    @Flag(name: .long, help: "Lock pip, setuptools, wheel and distribute too.")
    var all = false

    @Option(name: .customLong("index-url"), help: "The package index the hashes come from.")
    var indexURL: String?

    func run() async throws {
        let reporter = ProgressReporter()
        try await reportingErrors(reporter) {
            var options = FreezeOptions()
            options.includeHashes = !noHashes
            options.includeEnvironmentTools = all
            options.installer = try installer.choice()
            options.cacheDirectory = installer.cacheDir
            options.indexURL = indexURL
            let lock = try await location.environment(environment).freeze(options: options, progress: reporter.handler)
            reporter.finish()
            if let output {
                try lock.write(to: output)
                FileHandle.standardError.write(Data("jinn: locked \(lock.packages.count) packages in \(output)\n".utf8))
            } else {
                FileHandle.standardOutput.write(lock.encoded())
            }
        }
    }
}
