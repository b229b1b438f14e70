import Foundation

/// Named environments kept under one root directory.
///
/// The root is ``JinnPaths/environmentsDirectory(environment:)`` unless given: `JINN_ENVIRONMENTS_DIR`, else
/// `$XDG_DATA_HOME/jinn/environments`, else `~/.local/share/jinn/environments`.
///
/// ```swift
/// let store = EnvironmentStore()
/// let created = try await store.create("analysis", from: try await PythonInterpreter.system(),
///                                      packages: InstallRequest(["six"]))
/// print(created.reused ? "reused" : "created", created.environment.path)
/// for name in store.names() { print(name) }
/// try await store.remove("analysis")
/// ```
public struct EnvironmentStore: Sendable, Hashable {
    /// The directory that holds the environments, one subdirectory each.
    public let root: String

    /// A store rooted at `root`, or at the default root.
    public init(root: String? = nil) {
        self.root = VirtualEnvironment.absolute(root ?? JinnPaths.environmentsDirectory())
    }

    /// Checks that `name` can name an environment: letters, digits, `.`, `_` and `-`, not starting with `.` or
    /// `-`, at most 100 characters.
    public static func validate(name: String) throws(JinnError) {
        let reason: String?
        if name.isEmpty {
            reason = "it is empty"
        } else if name.count > 100 {
            reason = "it is longer than 100 characters"
        } else if name.hasPrefix(".") || name.hasPrefix("-") {
            reason = "it starts with '\(name.first!)'"
        } else if let bad = name.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0))) }) {
            reason = "it contains '\(bad)'; use letters, digits, '.', '_' and '-'"
        } else {
            reason = nil
        }
        if let reason { throw .environment(.invalidName(name, reason: reason)) }
    }

    /// The directory of the environment called `name` (which may not exist).
    public func path(of name: String) throws(JinnError) -> String {
        try Self.validate(name: name)
        // What builds that were killed left behind goes as soon as anyone looks here again.
        StagedDirectory.removeStaleBuilds(in: root)
        return root + "/" + name
    }

    /// The environment called `name`.
    public func environment(named name: String) throws(JinnError) -> VirtualEnvironment {
        let path = try path(of: name)
        guard let environment = try? VirtualEnvironment(at: path) else {
            throw .environment(.notFound(name: name, root: root))
        }
        return environment
    }

    /// The names of the environments in the store, sorted.
    public func names() -> [String] {
        StagedDirectory.removeStaleBuilds(in: root)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return entries.filter { !$0.hasPrefix(".") && VirtualEnvironment.exists(at: root + "/" + $0) }.sorted()
    }

    /// Creates the environment called `name`, or reuses it when it exists (installing `packages` into it).
    public func create(_ name: String, from base: PythonInterpreter, options: EnvironmentOptions = .init(),
                       packages: InstallRequest = .init(), progress: InstallProgressHandler? = nil)
        async throws(JinnError) -> EnvironmentCreation
    {
        try await VirtualEnvironment.create(at: try path(of: name), from: base, options: options, packages: packages,
                                            progress: progress)
    }

    /// Restores `lock` as the environment called `name`.
    public func restore(_ lock: LockFile, as name: String, from base: PythonInterpreter,
                        options: EnvironmentOptions = .init(), index: InstallRequest = .init(),
                        progress: InstallProgressHandler? = nil) async throws(JinnError) -> EnvironmentCreation
    {
        try await VirtualEnvironment.restore(lock, at: try path(of: name), from: base, options: options, index: index,
                                             progress: progress)
    }

    /// Removes the environment called `name`.
    public func remove(_ name: String) async throws(JinnError) {
        let path = try path(of: name)
        guard VirtualEnvironment.exists(at: path) else { throw .environment(.notFound(name: name, root: root)) }
        try await VirtualEnvironment.remove(at: path)
    }
}
