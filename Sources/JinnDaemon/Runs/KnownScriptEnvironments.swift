import Jinn
import JinnDaemonCore
import JinnWire
import Synchronization

/// The script environments runs came from, read once each: a warm run of a PEP 723 script must not pay for
/// reading and decoding its environment's description on every run. An entry is read again when the description
/// file changes (its preloads grow as more scripts share the environment) and forgotten when it goes.
final class KnownScriptEnvironments: Sendable {
    private struct Entry {
        var version: String
        var environment: ScriptEnvironment
        var dependencyModules: [String]
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The script environment whose interpreter is `interpreter` and the modules of its dependencies (see
    /// `ScriptEnvironment.dependencyModules()`), or nil when it is not one of the cache's.
    func environment(forInterpreter interpreter: String) -> (ScriptEnvironment, dependencyModules: [String])? {
        guard let root = Self.root(ofInterpreter: interpreter),
              let version = Configuration.version(ofFile: root + "/" + ScriptEnvironmentFiles.description)
        else {
            entries.withLock { _ = $0.removeValue(forKey: interpreter) }
            return nil
        }
        if let entry = entries.withLock({ $0[interpreter] }), entry.version == version {
            return (entry.environment, entry.dependencyModules)
        }
        guard let environment = ScriptEnvironment.owning(interpreter: interpreter) else { return nil }
        let entry = Entry(version: version, environment: environment,
                          dependencyModules: environment.dependencyModules())
        entries.withLock { $0[interpreter] = entry }
        return (entry.environment, entry.dependencyModules)
    }

    /// `ENV` of `ENV/bin/python`, or nil.
    private static func root(ofInterpreter interpreter: String) -> String? {
        let parts = interpreter.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[parts.count - 2] == "bin" else { return nil }
        return parts.dropLast(2).joined(separator: "/")
    }
}
