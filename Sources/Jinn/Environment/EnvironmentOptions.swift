/// How a virtual environment is created.
///
/// ```swift
/// var options = EnvironmentOptions()
/// options.systemSitePackages = true
/// options.prompt = "analysis"
/// options.installer = .pip          // force the standard library's venv and pip
/// ```
public struct EnvironmentOptions: Sendable, Hashable {
    /// How the environment's interpreter refers to the base interpreter.
    public enum InterpreterLink: String, Sendable, Hashable, Codable {
        /// Symbolic links to the base interpreter (the default).
        case symlinks
        /// Copies of the base interpreter's executables.
        case copies
    }

    /// Whether the environment also sees the base interpreter's site-packages.
    public var systemSitePackages = false
    /// Symbolic links or copies.
    public var interpreterLink = InterpreterLink.symlinks
    /// Replace an existing environment at the target. The new one is built beside it and swapped in only when
    /// complete, so a failure leaves the old one as it was.
    public var clear = false
    /// Upgrade an existing environment in place to the base interpreter's current version
    /// (`python -m venv --upgrade`).
    public var upgrade = false
    /// Whether pip is installed into the environment. `nil` lets the installer decide: the standard library's
    /// venv installs pip (it is its installer), uv does not (it installs without it).
    public var includePip: Bool?
    /// The prompt shown by the activation scripts (default: the directory's name).
    public var prompt: String?
    /// Which installer creates the environment and installs into it.
    public var installer = InstallerChoice.automatic
    /// Jinn's cache, where uv is installed when it is not on `PATH` (default: ``JinnPaths/cacheDirectory()``).
    public var cacheDirectory: String?
    /// How long to wait for another process that is creating or changing the same environment; `nil` waits
    /// as long as that process lives.
    public var lockTimeout: Duration?

    /// Options with the defaults.
    public init() {}

    /// The options for building `target` in a staging directory: the prompt defaults to the target's name, not
    /// the staging directory's.
    func naming(_ target: String) -> EnvironmentOptions {
        var options = self
        if options.prompt == nil { options.prompt = StagedDirectory.split(target).name }
        return options
    }
}
