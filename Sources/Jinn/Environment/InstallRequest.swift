import Foundation

/// What to install: requirements, requirements files, and where to find distributions.
///
/// ```swift
/// var request = InstallRequest(["six>=1.16", "./vendor/tool-1.0-py3-none-any.whl", "../mylib"])
/// request.requirementFiles = ["requirements.txt"]
/// request.extraIndexURLs = ["https://example.org/simple"]
/// request.noCache = true
/// ```
public struct InstallRequest: Sendable, Hashable {
    /// Requirements as the installer takes them: names with version specifiers and markers, local paths to
    /// project directories, wheels and source archives, or `name @ URL`.
    public var requirements: [String]
    /// Paths of requirements files (`-r`).
    public var requirementFiles: [String]
    /// The package index to use instead of the default one.
    public var indexURL: String?
    /// Package indexes searched in addition to the main one.
    public var extraIndexURLs: [String]
    /// Whether the installer's download and build cache is bypassed.
    public var noCache: Bool
    /// Install exactly what is listed, without dependencies (used when restoring a lock).
    var noDependencies = false
    /// Refuse distributions whose hashes are not listed (used when restoring a lock that has hashes).
    var requireHashes = false
    /// Compile the installed modules' bytecode now rather than on first import (pip always does; uv is asked to,
    /// for script environments, whose runs would otherwise compile them again each time when bytecode is not
    /// written, as with `PYTHONDONTWRITEBYTECODE`).
    var compileBytecode = false

    /// Creates a request.
    public init(_ requirements: [String] = [], requirementFiles: [String] = [], indexURL: String? = nil,
                extraIndexURLs: [String] = [], noCache: Bool = false)
    {
        self.requirements = requirements
        self.requirementFiles = requirementFiles
        self.indexURL = indexURL
        self.extraIndexURLs = extraIndexURLs
        self.noCache = noCache
    }

    /// Whether there is nothing to install.
    public var isEmpty: Bool { requirements.isEmpty && requirementFiles.isEmpty }

    /// The request with relative local paths made absolute, so that it means the same whatever directory the
    /// installer runs in.
    func resolvingPaths(from directory: String = FileManager.default.currentDirectoryPath) -> InstallRequest {
        func absolute(_ path: String) -> String {
            let expanded = (path as NSString).expandingTildeInPath
            return expanded.hasPrefix("/") ? expanded : URL(fileURLWithPath: directory).appendingPathComponent(expanded)
                .standardizedFileURL.path
        }
        var resolved = self
        resolved.requirementFiles = requirementFiles.map(absolute)
        resolved.requirements = requirements.map { requirement in
            let looksLikePath = requirement.hasPrefix(".") || requirement.hasPrefix("/") || requirement.hasPrefix("~")
                || (!requirement.contains(" ") && (requirement.contains("/") || requirement.hasSuffix(".whl")
                    || requirement.hasSuffix(".tar.gz") || requirement.hasSuffix(".zip")) && !requirement.contains("://"))
            return looksLikePath ? absolute(requirement) : requirement
        }
        return resolved
    }
}
