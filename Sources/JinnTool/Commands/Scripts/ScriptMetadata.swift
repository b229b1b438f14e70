import Foundation
import Jinn
import JinnDaemonCore

/// A script's PEP 723 block, read and checked: `dependencies` (each a PEP 508 requirement), `requires-python`
/// (a PEP 440 specifier), and Jinn's own `[tool.jinn]` settings (`preload`). Tables of other tools are left to
/// them.
struct ScriptMetadata {
    var requirements: [PackageRequirement] = []
    var requiresPython: VersionSpecifier?
    var preload: [String] = []

    /// The keys of `[tool.jinn]`.
    static let jinnKeys = ["preload"]

    /// The metadata of the script at `path`; nil when it has no block (or is a directory, or is missing).
    ///
    /// - Throws: ``ScriptInputError`` naming the script's line.
    static func read(script path: String) throws(ScriptInputError) -> ScriptMetadata? {
        // A directory (its __main__.py) or a missing script has no block; the interpreter reports the latter.
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScriptInputError(file: path, message: "cannot be read")
        }
        let block: ScriptBlock
        do {
            guard let found = try ScriptBlock.find(in: Array(data)) else { return nil }
            block = found
        } catch {
            throw ScriptInputError(file: path, line: error.line, message: error.message)
        }
        return try parse(block, script: path)
    }

    static func parse(_ block: ScriptBlock, script path: String) throws(ScriptInputError) -> ScriptMetadata {
        let text = String(decoding: block.content, as: UTF8.self)
        let document: TOMLDocument
        do {
            document = try TOMLDocument(parsing: text)
        } catch {
            throw ScriptInputError(file: path, line: block.openingLine + error.line,
                                   message: "the `# /// script` block is not valid TOML: \(error.message)")
        }
        let contentLines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func line(of key: String) -> Int { block.openingLine + (document.lines[key] ?? 1) }
        func fail(_ key: String, _ message: String) -> ScriptInputError {
            ScriptInputError(file: path, line: line(of: key), message: message)
        }
        var metadata = ScriptMetadata()
        for (key, value) in document.values.sorted(by: { line(of: $0.key) < line(of: $1.key) }) {
            switch key {
            case "dependencies":
                guard case .array(let items) = value else { throw fail(key, "`dependencies` must be an array of strings") }
                var searchFrom = (document.lines[key] ?? 1) - 1
                for item in items {
                    guard case .string(let requirement) = item else {
                        throw fail(key, "`dependencies` must hold strings, not \(item.typeName)")
                    }
                    // The line of this item: the first from the key's on that holds its text.
                    let offset = contentLines[searchFrom...].firstIndex { $0.contains(requirement) } ?? searchFrom
                    searchFrom = offset
                    do {
                        metadata.requirements.append(try PackageRequirement(requirement))
                    } catch {
                        throw ScriptInputError(file: path, line: block.openingLine + offset + 1,
                                               message: "\(error)")
                    }
                }
            case "requires-python":
                guard case .string(let specifier) = value else { throw fail(key, "`requires-python` must be a string") }
                do {
                    metadata.requiresPython = try VersionSpecifier(specifier)
                } catch {
                    throw fail(key, "`requires-python`: \(error)")
                }
            case "tool.jinn.preload":
                guard case .array(let items) = value else { throw fail(key, "`preload` must be an array of module names") }
                for item in items {
                    guard case .string(let name) = item, Self.isModuleName(name) else {
                        throw fail(key, "`preload` must hold module names, not \(item)")
                    }
                    metadata.preload.append(name)
                }
            case _ where key.hasPrefix("tool.jinn."):
                throw fail(key, "`\(key.dropFirst("tool.jinn.".count))` is not a setting of [tool.jinn]; "
                    + "the settings are " + jinnKeys.joined(separator: ", "))
            case _ where key.hasPrefix("tool."):
                continue
            default:
                throw fail(key, "`\(key)` is not a field of a script block; PEP 723 defines dependencies, "
                    + "requires-python and [tool.NAME] tables")
            }
        }
        return metadata
    }

    static func isModuleName(_ name: String) -> Bool {
        !name.isEmpty && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            guard let first = part.first, first.isLetter || first == "_" else { return false }
            return part.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        }
    }
}

/// What is wrong with a script, its block or a requirements file, with the line it concerns.
struct ScriptInputError: Error, CustomStringConvertible {
    var file: String
    var line: Int?
    var message: String

    var description: String {
        line.map { "\(file), line \($0): \(message)" } ?? "\(file): \(message)"
    }
}
