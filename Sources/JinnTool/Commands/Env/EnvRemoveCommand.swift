import ArgumentParser
import Foundation
import Jinn

/// `jinn env remove ENV`.
struct EnvRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove an environment (only directories that are Python environments are removed)."
    )

    @OptionGroup var location: StoreOptions

    @Argument(help: "A name, or a path containing '/'.")
    var environment: String

    func run() async throws {
        try await reportingErrors {
            let target = try location.environment(environment)
            try await VirtualEnvironment.remove(at: target.path)
            print("removed \(target.path)")
        }
    }
}
