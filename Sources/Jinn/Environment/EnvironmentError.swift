import Foundation

/// What went wrong while creating, changing, freezing or restoring a Python environment.
///
/// It reaches callers as ``JinnError/environment(_:)``:
///
/// ```swift
/// do {
///     try await environment.install(InstallRequest(["sixx"]))
/// } catch .environment(.installFailed(let package, _, let installer, let message)) {
///     print(package ?? "?", installer, message)   // sixx pip ERROR: No matching distribution found for sixx
/// }
/// ```
public enum EnvironmentError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// The directory is not a virtual environment (no `pyvenv.cfg`) nor a conda environment (no `conda-meta`).
    case notAnEnvironment(path: String)
    /// No file or directory exists where an environment was expected.
    case missingDirectory(path: String)
    /// No environment of that name exists under the root.
    case notFound(name: String, root: String)
    /// The name cannot be used for a named environment.
    case invalidName(String, reason: String)
    /// The target exists and is something else than an environment Jinn may reuse or replace.
    case targetOccupied(path: String, reason: String)
    /// A program Jinn needs (uv, conda, micromamba, pip) is not available.
    case toolNotFound(tool: String, hint: String)
    /// Jinn could not install a tool (uv) into its cache.
    case toolInstallFailed(tool: String, version: String, message: String)
    /// The environment could not be created; `message` quotes the tool.
    case creationFailed(path: String, tool: String, message: String)
    /// Installing failed. `package` is the requirement the installer complained about, when it named one;
    /// `message` quotes the installer's own words.
    case installFailed(package: String?, requested: [String], installer: String, message: String)
    /// A requirement, version or specifier is not what PEP 508 and PEP 440 define.
    case invalidRequirement(String, reason: String)
    /// No interpreter satisfies a script's `requires-python`; `found` lists those looked at.
    case noMatchingInterpreter(requirement: String, found: [String])
    /// A lock file could not be read or written.
    case invalidLockFile(path: String, reason: String)
    /// The lock was made for another interpreter or platform.
    case lockMismatch(lock: String, interpreter: String)
    /// After a restore, the installed packages differ from the lock.
    case verificationFailed(missing: [String], unexpected: [String], differing: [String])
    /// A file-system operation failed.
    case fileSystem(operation: String, path: String, reason: String)
    /// The operation was cancelled; nothing was left half-done.
    case cancelled(operation: String)

    /// The description, so that `localizedDescription` reads as ``description`` does.
    public var errorDescription: String? { description }

    public var description: String {
        switch self {
        case .notAnEnvironment(let path):
            return "'\(path)' is not a Python environment (it has neither pyvenv.cfg nor conda-meta)"
        case .missingDirectory(let path):
            return "'\(path)' does not exist; create the environment first (VirtualEnvironment.create(at:from:); "
                + "jinn env create PATH on the command line)"
        case .notFound(let name, let root):
            return "no environment named '\(name)' in \(root); `jinn env list` shows the existing ones"
        case .invalidName(let name, let reason):
            return "'\(name)' cannot name an environment: \(reason)"
        case .targetOccupied(let path, let reason):
            return "'\(path)' \(reason)"
        case .toolNotFound(let tool, let hint):
            return "\(tool) was not found: \(hint)"
        case .toolInstallFailed(let tool, let version, let message):
            return "could not install \(tool) \(version) into Jinn's cache:\n\(message)"
        case .creationFailed(let path, let tool, let message):
            return "\(tool) could not create the environment '\(path)':\n\(message)"
        case .installFailed(let package, let requested, let installer, let message):
            let what = package.map { "'\($0)'" } ?? requested.map { "'\($0)'" }.joined(separator: ", ")
            return "\(installer) could not install \(what.isEmpty ? "the requirements" : what):\n\(message)"
        case .invalidRequirement(let text, let reason):
            return "\(text.debugDescription) is not valid: \(reason)"
        case .noMatchingInterpreter(let requirement, let found):
            return "no Python interpreter satisfies requires-python \(requirement.debugDescription); found "
                + (found.isEmpty ? "none" : found.joined(separator: ", "))
                + "; install a matching one (pyenv install, uv python install) or change requires-python"
        case .invalidLockFile(let path, let reason):
            return "the lock file '\(path)' is not valid: \(reason)"
        case .lockMismatch(let lock, let interpreter):
            return "the lock was made for \(lock), but the interpreter is \(interpreter); "
                + "restore it with a matching interpreter (the `from:` argument; --python on the command line)"
        case .verificationFailed(let missing, let unexpected, let differing):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing: " + missing.joined(separator: ", ")) }
            if !unexpected.isEmpty { parts.append("not in the lock: " + unexpected.joined(separator: ", ")) }
            if !differing.isEmpty { parts.append("other versions: " + differing.joined(separator: ", ")) }
            return "the restored environment does not match the lock (" + parts.joined(separator: "; ") + ")"
        case .fileSystem(let operation, let path, let reason):
            return "\(operation) '\(path)' failed: \(reason)"
        case .cancelled(let operation):
            return "\(operation) was cancelled"
        }
    }
}
