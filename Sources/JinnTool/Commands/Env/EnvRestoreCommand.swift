import ArgumentParser
import Foundation
import Jinn

/// `jinn env restore LOCK ENV`.
struct EnvRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Create an environment with exactly the packages of a lock file, and verify it.",
        discussion: """
            Packages are installed without resolution (--no-deps) and hash-checked when the lock has hashes for \
            every package. The environment is compared with the lock before it is moved into place. An existing \
            environment that matches the lock is reused; one that differs is refused unless --clear.
            """
    )

    @OptionGroup var location: StoreOptions
    @OptionGroup var interpreter: InterpreterOption
    @OptionGroup var installer: InstallerOptions
    @OptionGroup var index: IndexOptions

    @Argument(help: "The lock file ('-' for standard input).")
    var lock: String

    @Argument(help: "A name, or a path containing '/'.")
    var environment: String

    @Flag(name: .long, help: "Replace an existing environment.")
    var clear = false

    @Flag(name: .shortAndLong, help: "Print no progress.")
    var quiet = false

    func run() async throws {
        let reporter = ProgressReporter(quiet: quiet)
        try await reportingErrors(reporter) {
            let lockFile = lock == "-" ? try LockFile(data: FileHandle.standardInput.readDataToEndOfFile(),
                                                      path: "<standard input>")
                                       : try LockFile(contentsOf: lock)
            var options = EnvironmentOptions()
            options.clear = clear
            options.installer = try installer.choice()
            options.cacheDirectory = installer.cacheDir
            let restored = try await VirtualEnvironment.restore(
                lockFile, at: try location.path(of: environment), from: try await interpreter.interpreter(),
                options: options, index: index.request(), progress: reporter.handler)
            reporter.finish()
            print(restored.reused
                  ? "\(restored.environment.path) exists and matches the lock; reused it"
                  : "restored \(lockFile.packages.count) packages into \(restored.environment.path) "
                    + "with \(restored.installer ?? "?"); verified against the lock")
        }
    }
}
