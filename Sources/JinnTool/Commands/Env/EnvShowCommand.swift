import ArgumentParser
import Foundation
import Jinn

/// `jinn env show ENV`.
struct EnvShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show an environment's interpreter, version and packages."
    )

    @OptionGroup var location: StoreOptions

    @Argument(help: "A name, or a path containing '/'.")
    var environment: String

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let description = try await location.environment(environment).describe()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try! encoder.encode(description), as: UTF8.self))
                return
            }
            let interpreter = description.interpreter
            print("""
                path:            \(description.path)
                kind:            \(description.kind == .conda ? "conda" : "virtual environment")
                interpreter:     \(interpreter.executable)
                version:         \(interpreter.version) (\(interpreter.implementation), \(interpreter.platform) \
                \(interpreter.machine))
                base:            \(interpreter.basePrefix)
                packages:        \(description.packages.count)
                """)
            for package in description.packages {
                print("  \(package.name) \(package.version)" + (package.sourceURL.map { " (\($0))" } ?? ""))
            }
        }
    }
}
