import ArgumentParser
import Foundation
import Jinn

/// `jinn python`: shows what Jinn discovered about the interpreter.
struct PythonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "python",
        abstract: "Show the Python interpreter Jinn would use."
    )

    @Option(name: .long, help: "An interpreter path to inspect instead of python3 on PATH.")
    var python: String?

    @Option(name: .long, help: "A virtual environment directory to inspect.")
    var venv: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        let interpreter: PythonInterpreter
        do {
            if let venv {
                interpreter = try await PythonInterpreter(virtualEnvironment: venv)
            } else {
                interpreter = try await PythonInterpreter.chosen(python)
            }
        } catch {
            FileHandle.standardError.write(Data("jinn: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(interpreter), as: UTF8.self))
            return
        }
        print("""
            executable:      \(interpreter.executable)
            version:         \(interpreter.version)
            implementation:  \(interpreter.implementation)
            platform:        \(interpreter.platform) (\(interpreter.machine))
            prefix:          \(interpreter.prefix)
            base prefix:     \(interpreter.basePrefix)
            virtual env:     \(interpreter.isVirtualEnvironment ? "yes" : "no")
            site-packages:   \(interpreter.sitePackages.joined(separator: "\n                 "))
            """)
    }
}
