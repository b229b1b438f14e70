import Foundation

/// A Python environment on disk: a virtual environment (`pyvenv.cfg`) or a conda environment (`conda-meta`).
///
/// Create one from any interpreter, install into it, freeze it to a lock and restore the lock elsewhere:
///
/// ```swift
/// let python = try await PythonInterpreter.system()
/// let created = try await VirtualEnvironment.create(at: "/srv/app/.venv", from: python,
///                                                   packages: InstallRequest(["six==1.17.0"]))
/// let environment = created.environment            // created.reused tells whether it existed already
/// let lock = try await environment.freeze()
/// try lock.write(to: "/srv/app/jinn.lock")
/// _ = try await VirtualEnvironment.restore(lock, at: "/tmp/copy", from: python)
/// ```
///
/// Creating and restoring never leave a half-made environment at the target: the environment is built in a
/// sibling directory and moved into place when it is complete, under a lock file that makes concurrent creators
/// of the same environment take turns (the later ones reuse what the first one made).
public struct VirtualEnvironment: Sendable, Hashable {
    /// What made the environment.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A virtual environment (`venv`, `uv venv`, `virtualenv`).
        case virtual
        /// A conda or micromamba environment.
        case conda
    }

    /// The environment's directory (absolute).
    public let path: String
    /// What made the environment.
    public let kind: Kind

    /// Opens the environment at `path`.
    public init(at path: String) throws(JinnError) {
        let absolute = Self.absolute(path)
        if FileManager.default.fileExists(atPath: absolute + "/pyvenv.cfg") {
            kind = .virtual
        } else if Self.isDirectory(absolute + "/conda-meta") {
            kind = .conda
        } else {
            throw .environment(.notAnEnvironment(path: absolute))
        }
        self.path = absolute
    }

    /// Whether `path` holds an environment.
    public static func exists(at path: String) -> Bool {
        (try? VirtualEnvironment(at: path)) != nil
    }

    /// The environment's interpreter executable.
    public var pythonExecutable: String {
        let python3 = path + "/bin/python3"
        return FileManager.default.fileExists(atPath: python3) ? python3 : path + "/bin/python"
    }

    /// The environment's interpreter, inspected.
    public func interpreter() async throws(JinnError) -> PythonInterpreter {
        kind == .virtual ? try await PythonInterpreter(virtualEnvironment: path)
            : try await PythonInterpreter(path: pythonExecutable)
    }

    /// The packages installed in the environment's own site-packages, sorted by name.
    public func installedPackages() async throws(JinnError) -> [InstalledPackage] {
        try await InstalledPackage.list(python: pythonExecutable)
    }

    /// Installs packages from the package index (or local paths) into the environment.
    ///
    /// Nothing changes when the installer cannot satisfy the request: both pip and uv resolve everything
    /// before they install. The error names the package the installer complained about and quotes it.
    public func install(_ request: InstallRequest, installer: InstallerChoice = .automatic,
                        cacheDirectory: String? = nil, progress: InstallProgressHandler? = nil)
        async throws(JinnError)
    {
        guard !request.isEmpty else { return }
        let tool = try await Installers.resolve(installer, base: try await interpreter(),
                                                cacheDirectory: cacheDirectory, progress: progress)
        try await tool.install(request.resolvingPaths(), python: pythonExecutable, progress: progress)
        progress?(InstallProgress(.finished, detail: "installed with \(tool.name)"))
    }

    /// Describes the environment: its interpreter and packages.
    public func describe() async throws(JinnError) -> EnvironmentDescription {
        EnvironmentDescription(path: path, kind: kind, interpreter: try await interpreter(),
                               packages: try await installedPackages())
    }

    // MARK: Creating

    /// Creates an environment at `path` from `base` and installs `packages` into it, or reuses the environment
    /// that is already there (and installs `packages` into it).
    public static func create(at path: String, from base: PythonInterpreter, options: EnvironmentOptions = .init(),
                              packages: InstallRequest = .init(), progress: InstallProgressHandler? = nil)
        async throws(JinnError) -> EnvironmentCreation
    {
        let target = absolute(path)
        let request = packages.resolvingPaths()
        let lock = try await StagedDirectory.lock(target, timeout: options.lockTimeout) {
            progress?(InstallProgress(.waiting, detail: "another process is creating or changing \(target); waiting"))
        }
        defer { lock.release() }
        let existing = try existingEnvironment(at: target)
        if let existing, !options.clear {
            if options.upgrade {
                progress?(InstallProgress(.creating, detail: "upgrading \(target) to \(base.version)"))
                let result = try await ToolRun.run(base.executable, ["-m", "venv", "--upgrade", target])
                guard result.termination.isSuccess else {
                    throw .environment(.creationFailed(path: target, tool: "\(base.executable) -m venv --upgrade",
                                                       message: result.tail))
                }
                PythonInterpreter.forgetInspections(under: target)
            }
            var installerName: String?
            if !request.isEmpty {
                let tool = try await Installers.resolve(options.installer, base: base,
                                                        cacheDirectory: options.cacheDirectory, progress: progress)
                try await tool.install(request, python: existing.pythonExecutable, progress: progress)
                installerName = tool.name
            }
            progress?(InstallProgress(.finished, detail: "\(target) exists; reused"))
            return EnvironmentCreation(environment: existing, reused: true, installer: installerName)
        }
        let tool = try await Installers.resolve(options.installer, base: base, cacheDirectory: options.cacheDirectory,
                                                progress: progress)
        try await StagedDirectory.build(target, relocate: true) { staging throws(JinnError) in
            progress?(InstallProgress(.creating, detail: "creating \(target) with \(tool.name) from \(base.executable)"))
            try await tool.createEnvironment(at: staging, base: base, options: options.naming(target))
            if !request.isEmpty {
                try await tool.install(request, python: staging + "/bin/python", progress: progress)
            }
        }
        PythonInterpreter.forgetInspections(under: target)
        progress?(InstallProgress(.finished, detail: "created \(target) with \(tool.name)"))
        return EnvironmentCreation(environment: try VirtualEnvironment(at: target), reused: false, installer: tool.name)
    }

    /// The environment at `target`, nil when nothing (or an empty directory) is there, or an error when something
    /// else is there: Jinn never replaces a directory that is not an environment.
    static func existingEnvironment(at target: String) throws(JinnError) -> VirtualEnvironment? {
        guard FileManager.default.fileExists(atPath: target) || StagedDirectory.isSymbolicLink(target) else {
            return nil
        }
        if let environment = try? VirtualEnvironment(at: target) { return environment }
        if isDirectory(target), (try? FileManager.default.contentsOfDirectory(atPath: target))?.isEmpty == true {
            return nil
        }
        throw .environment(.targetOccupied(
            path: target, reason: "exists and is not a Python environment; choose another path or remove it"))
    }

    // MARK: Freezing and restoring

    /// Pins everything installed in the environment in a lock.
    public func freeze(options: FreezeOptions = .init(), progress: InstallProgressHandler? = nil)
        async throws(JinnError) -> LockFile
    {
        let interpreter = try await interpreter()
        let installed = try await installedPackages().filter {
            options.includeEnvironmentTools || !InstalledPackage.environmentTools.contains($0.normalizedName)
        }
        var hashes: [String: [String]] = [:]
        var installerName: String?
        if options.includeHashes {
            let tool = try await Installers.resolve(options.installer, base: interpreter,
                                                    cacheDirectory: options.cacheDirectory, progress: progress)
            installerName = tool.name
            let pins = installed.filter { $0.sourceURL == nil }.map(\.description)
            let index = InstallRequest(indexURL: options.indexURL, extraIndexURLs: options.extraIndexURLs)
            hashes = try await tool.indexHashes(for: pins, python: pythonExecutable, index: index)
        }
        let packages = installed.map { package in
            LockFile.Package(name: package.name, version: package.version, url: package.sourceURL,
                             hashes: package.sourceURL == nil ? hashes[package.normalizedName] ?? []
                                 : package.archiveHashes)
        }
        return LockFile(
            python: .init(implementation: interpreter.implementation,
                          version: "\(interpreter.version.major).\(interpreter.version.minor).\(interpreter.version.micro)"),
            platform: .init(system: interpreter.platform, machine: interpreter.machine),
            installer: installerName, packages: packages)
    }

    /// Checks that the installed packages are exactly those of the lock.
    public func verify(against lock: LockFile) async throws(JinnError) {
        let (missing, unexpected, differing) = lock.differences(from: try await installedPackages())
        guard missing.isEmpty && unexpected.isEmpty && differing.isEmpty else {
            throw .environment(.verificationFailed(missing: missing, unexpected: unexpected, differing: differing))
        }
    }

    /// Creates an environment at `path` with exactly the packages of `lock` (no dependency resolution, hashes
    /// checked when the lock has them for every package), verifies it, and only then moves it into place. Every
    /// field of the lock is checked first (``LockFile/validate(path:)``).
    ///
    /// An environment already at `path` that matches the lock is reused; one that differs is an error unless
    /// `options.clear` is set.
    public static func restore(_ lock: LockFile, at path: String, from base: PythonInterpreter,
                               options: EnvironmentOptions = .init(), index: InstallRequest = .init(),
                               progress: InstallProgressHandler? = nil) async throws(JinnError) -> EnvironmentCreation
    {
        try lock.validate()
        if let found = lock.mismatch(with: base) {
            throw .environment(.lockMismatch(lock: lock.interpreterDescription, interpreter: found))
        }
        let target = absolute(path)
        let fileLock = try await StagedDirectory.lock(target, timeout: options.lockTimeout) {
            progress?(InstallProgress(.waiting, detail: "another process is creating or changing \(target); waiting"))
        }
        defer { fileLock.release() }
        if let existing = try existingEnvironment(at: target), !options.clear {
            progress?(InstallProgress(.verifying, detail: "\(target) exists; comparing it with the lock"))
            do {
                try await existing.verify(against: lock)
            } catch .environment(let error) {
                throw .environment(.targetOccupied(
                    path: target, reason: "already exists and does not match the lock (\(error)); "
                        + "restore it elsewhere, or replace it (EnvironmentOptions.clear; --clear on the command line)"))
            }
            progress?(InstallProgress(.finished, detail: "\(target) exists and matches the lock; reused"))
            return EnvironmentCreation(environment: existing, reused: true, installer: nil)
        }
        let tool = try await Installers.resolve(options.installer, base: base, cacheDirectory: options.cacheDirectory,
                                                progress: progress)
        try await StagedDirectory.build(target, relocate: true) { staging throws(JinnError) in
            progress?(InstallProgress(.creating, detail: "creating \(target) with \(tool.name) from \(base.executable)"))
            try await tool.createEnvironment(at: staging, base: base, options: options.naming(target))
            try await installLocked(lock, into: staging, tool: tool, index: index, progress: progress)
        }
        PythonInterpreter.forgetInspections(under: target)
        progress?(InstallProgress(.finished, total: lock.packages.count, detail: "restored \(target) with \(tool.name)"))
        return EnvironmentCreation(environment: try VirtualEnvironment(at: target), reused: false, installer: tool.name)
    }

    /// Installs exactly the packages of a (validated) lock into the environment at `staging`, hash-checked when
    /// the lock has hashes for every package, and verifies the result.
    static func installLocked(_ lock: LockFile, into staging: String, tool: any Installer, index: InstallRequest,
                              progress: InstallProgressHandler?) async throws(JinnError)
    {
        if !lock.packages.isEmpty {
            let withHashes = lock.packages.allSatisfy { !$0.hashes.isEmpty }
            // Every field was validated: no name, version, URL or hash can start a line or an option of its own.
            let requirements = try TemporaryFile(
                contents: lock.packages.map { $0.requirementLine(withHashes: withHashes) }.joined(separator: "\n") + "\n",
                suffix: "-requirements.txt")
            defer { requirements.remove() }
            var request = index
            request.requirements = []
            request.requirementFiles = [requirements.path]
            request.noDependencies = true
            request.requireHashes = withHashes
            try await tool.install(request, python: staging + "/bin/python", progress: progress)
        }
        progress?(InstallProgress(.verifying, total: lock.packages.count, detail: "comparing with the lock"))
        try await VirtualEnvironment(at: staging).verify(against: lock)
    }

    // MARK: Removing

    /// Removes the environment at `path`. Refuses directories that are not environments.
    public static func remove(at path: String, lockTimeout: Duration? = nil) async throws(JinnError) {
        let target = absolute(path)
        let lock = try await StagedDirectory.lock(target, timeout: lockTimeout)
        defer { lock.release() }
        guard try existingEnvironment(at: target) != nil else {
            throw .environment(.notAnEnvironment(path: target))
        }
        try StagedDirectory.remove(target)
        PythonInterpreter.forgetInspections(under: target)
    }

    static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let full = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        return URL(fileURLWithPath: full).standardizedFileURL.path
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

/// The result of creating or restoring an environment.
public struct EnvironmentCreation: Sendable {
    /// The environment.
    public var environment: VirtualEnvironment
    /// Whether the environment existed already and was reused.
    public var reused: Bool
    /// The installer that did the work (`uv 0.13.9`, `pip`), nil when none ran.
    public var installer: String?
}

/// What an environment holds.
public struct EnvironmentDescription: Sendable, Codable {
    /// The environment's directory.
    public var path: String
    /// What made it.
    public var kind: VirtualEnvironment.Kind
    /// Its interpreter.
    public var interpreter: PythonInterpreter
    /// Its packages.
    public var packages: [InstalledPackage]
}

/// How an environment is frozen into a lock.
public struct FreezeOptions: Sendable, Hashable {
    /// Whether the lock gets the hashes of the index's distributions for every pin (uv provides them; pip
    /// provides only those of archives installed from a path or URL).
    public var includeHashes = true
    /// Whether pip, setuptools, wheel and distribute are locked too.
    public var includeEnvironmentTools = false
    /// The installer asked for hashes.
    public var installer = InstallerChoice.automatic
    /// The index the hashes come from (default: the installer's).
    public var indexURL: String?
    /// Further indexes searched for hashes.
    public var extraIndexURLs: [String] = []
    /// Jinn's cache, where uv is installed when it is not on `PATH`.
    public var cacheDirectory: String?

    /// Options with the defaults.
    public init() {}
}
