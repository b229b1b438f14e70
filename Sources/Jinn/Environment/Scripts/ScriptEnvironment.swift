import Foundation

/// An environment of Jinn's cache made for scripts' needs, as its `jinn-environment.json` describes it.
///
/// ```swift
/// let cache = ScriptEnvironmentCache()
/// for environment in cache.environments() {
///     print(environment.path, environment.requirements, environment.lastUsed ?? .distantPast)
/// }
/// ```
public struct ScriptEnvironment: Sendable, Hashable, Codable {
    /// The environment's directory.
    public var path: String
    /// The interpreter runs start (the environment's own `bin/python`).
    public var interpreter: String
    /// The interpreter it was made from.
    public var baseInterpreter: String
    /// That interpreter's version.
    public var pythonVersion: String
    /// The requirements it was made for (for a locked one, the lock's pins).
    public var requirements: [String]
    /// Whether it holds a lock's pins, hash-checked.
    public var locked: Bool
    /// Modules its zygote may preload (`[tool.jinn] preload`).
    public var preload: [String]
    /// The key it is stored under (the interpreter and the requirement set).
    public var key: String
    /// When it was made.
    public var created: Date
    /// When a run last used it (the modification time of its usage file); not stored.
    public var lastUsed: Date?

    private enum CodingKeys: String, CodingKey {
        case path, interpreter, baseInterpreter, pythonVersion, requirements, locked, preload, key, created
    }

    /// The script environment whose interpreter is `interpreter` (`ENV/bin/python`), nil when it is not one.
    public static func owning(interpreter: String) -> ScriptEnvironment? {
        let bin = (interpreter as NSString).deletingLastPathComponent
        guard (bin as NSString).lastPathComponent == "bin" else { return nil }
        return read(at: (bin as NSString).deletingLastPathComponent)
    }

    /// Reads the description of the environment at `path`; nil when there is none (it is not one of the cache's).
    public static func read(at path: String) -> ScriptEnvironment? {
        guard let data = FileManager.default.contents(atPath: path + "/" + ScriptEnvironmentCache.descriptionFile),
              var environment = try? JSONDecoder.iso8601.decode(ScriptEnvironment.self, from: data)
        else { return nil }
        environment.path = path
        let usage = try? FileManager.default.attributesOfItem(atPath: path + "/" + ScriptEnvironmentCache.usageFile)
        environment.lastUsed = usage?[.modificationDate] as? Date
        return environment
    }

    func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return ((try? encoder.encode(self)) ?? Data()) + Data("\n".utf8)
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
