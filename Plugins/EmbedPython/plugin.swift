import Foundation
import PackagePlugin

/// Turns the Python package under a target's `Python/` folder into Swift source, so that the built library
/// carries it in its binary and never needs a resource folder at run time.
@main
struct EmbedPython: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let root = target.directoryURL.appending(path: "Python")
        var inputs: [URL] = []
        if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) {
            for case let url as URL in walker where url.pathExtension == "py" {
                inputs.append(url)
            }
        }
        inputs.sort { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedPython.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) Python files into \(target.name)",
                executable: try context.tool(named: "JinnEmbedTool").url,
                arguments: [root.path, output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
