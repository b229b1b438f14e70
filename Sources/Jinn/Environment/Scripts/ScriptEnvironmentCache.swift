import Foundation
import JinnSystem
import JinnWire

/// The environments of scripts, in Jinn's cache: one per interpreter and requirement set, made on first need and
/// shared by every script that needs the same.
///
/// An environment is built beside its place and renamed into it when complete, under a lock, so that two first
/// runs at once install once (the second waits, then finds the first one's environment) and a failed build leaves
/// nothing a later run would use.
///
/// ```swift
/// let cache = ScriptEnvironmentCache()
/// let needs = ScriptNeeds(requirements: [try PackageRequirement("six")])
/// let prepared = try await cache.prepare(needs, interpreter: try await PythonInterpreter.system())
/// print(prepared.environment.interpreter, prepared.created)
/// ```
public struct ScriptEnvironmentCache: Sendable, Hashable {
    /// Jinn's cache directory.
    public let cacheDirectory: String

    static let descriptionFile = ScriptEnvironmentFiles.description
    static let usageFile = ScriptEnvironmentFiles.usage

    /// The cache in `cacheDirectory`, or in ``JinnPaths/cacheDirectory(environment:)``.
    public init(cacheDirectory: String? = nil) {
        self.cacheDirectory = VirtualEnvironment.absolute(cacheDirectory ?? JinnPaths.cacheDirectory())
    }

    /// The directory that holds the environments.
    public var root: String { cacheDirectory + "/" + ScriptEnvironmentFiles.environments }

    /// Where the environment for `needs` with `interpreter` lives (whether or not it exists).
    public func path(for needs: ScriptNeeds, interpreter: PythonInterpreter) -> String {
        root + "/" + FNV1a.hexadecimal(needs.key(interpreter: interpreter).utf8)
    }

    /// The environment for `needs` with `interpreter`, when it exists.
    public func existing(for needs: ScriptNeeds, interpreter: PythonInterpreter) -> ScriptEnvironment? {
        let path = path(for: needs, interpreter: interpreter)
        guard let environment = ScriptEnvironment.read(at: path),
              environment.key == needs.key(interpreter: interpreter) else { return nil }
        return environment
    }

    /// The environment for `needs`: the existing one, or a new one made with `options.installer` (uv by default)
    /// from `interpreter`.
    ///
    /// - Parameter index: where distributions come from (index URLs, no cache); its requirements are ignored.
    /// - Throws: ``JinnError/environment(_:)``: the installer's own words when it fails
    ///   (``EnvironmentError/installFailed(package:requested:installer:message:)``); nothing is left behind.
    public func prepare(_ needs: ScriptNeeds, interpreter: PythonInterpreter, options: EnvironmentOptions = .init(),
                        index: InstallRequest = .init(), progress: InstallProgressHandler? = nil)
        async throws(JinnError) -> (environment: ScriptEnvironment, created: Bool)
    {
        if let lock = needs.lock {
            try lock.validate()
            if let found = lock.mismatch(with: interpreter) {
                throw .environment(.lockMismatch(lock: lock.interpreterDescription, interpreter: found))
            }
        }
        let target = path(for: needs, interpreter: interpreter)
        let key = needs.key(interpreter: interpreter)
        let fileLock = try await StagedDirectory.lock(target, timeout: options.lockTimeout) {
            progress?(InstallProgress(.waiting, detail: "another process is making this environment; waiting"))
        }
        defer { fileLock.release() }
        if var found = ScriptEnvironment.read(at: target) {
            guard found.key == key else {
                throw .environment(.targetOccupied(path: target, reason: "holds an environment for other needs "
                    + "(a hash collision); remove it with `jinn cache clear`"))
            }
            // Scripts that share an environment share its zygote: its preloads are those of every one of them.
            let added = needs.preload.filter { !found.preload.contains($0) }
            if !added.isEmpty {
                found.preload += added
                let description = target + "/" + Self.descriptionFile
                try Self.write(found.encoded(), to: description + ".tmp")
                guard rename(description + ".tmp", description) == 0 else {
                    throw .environment(.fileSystem(operation: "replacing", path: description,
                                                   reason: Errno.current.description))
                }
            }
            return (found, false)
        }
        var options = options
        if options.cacheDirectory == nil { options.cacheDirectory = cacheDirectory }
        let tool = try await Installers.resolve(options.installer, base: interpreter,
                                                cacheDirectory: options.cacheDirectory, progress: progress)
        let environment = ScriptEnvironment(
            path: target, interpreter: target + "/bin/python", baseInterpreter: interpreter.executable,
            pythonVersion: interpreter.version.description,
            requirements: needs.lock.map { $0.packages.map(\.description) } ?? needs.requirementLines,
            locked: needs.lock != nil, preload: needs.preload, key: key, created: Date())
        var index = index
        index.compileBytecode = true
        try await StagedDirectory.build(target, relocate: true) { staging throws(JinnError) in
            progress?(InstallProgress(.creating, detail: "creating an environment with \(tool.name) from "
                + interpreter.executable))
            try await tool.createEnvironment(at: staging, base: interpreter, options: options.naming(target))
            if let lock = needs.lock {
                try await VirtualEnvironment.installLocked(lock, into: staging, tool: tool, index: index,
                                                           progress: progress)
            } else if !needs.requirements.isEmpty {
                var request = index
                request.requirements = needs.requirementLines
                request.requirementFiles = []
                try await tool.install(request, python: staging + "/bin/python", progress: progress)
            }
            try Self.write(environment.encoded(), to: staging + "/" + Self.descriptionFile)
            try Self.write(Data(), to: staging + "/" + Self.usageFile)
        }
        PythonInterpreter.forgetInspections(under: target)
        progress?(InstallProgress(.finished, detail: "made \(target) with \(tool.name)"))
        return (ScriptEnvironment.read(at: target) ?? environment, true)
    }

    /// Every environment of the cache, least recently used first.
    public func environments() -> [ScriptEnvironment] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.filter { !$0.hasPrefix(".") }.compactMap { ScriptEnvironment.read(at: root + "/" + $0) }
            .sorted { ($0.lastUsed ?? $0.created) < ($1.lastUsed ?? $1.created) }
    }

    private static func write(_ data: Data, to path: String) throws(JinnError) {
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw .environment(.fileSystem(operation: "writing", path: path, reason: Errno.current.description))
        }
    }
}
