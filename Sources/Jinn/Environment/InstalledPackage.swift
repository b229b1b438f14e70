import Foundation

/// A distribution installed in an environment, as its metadata describes it.
public struct InstalledPackage: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The project name as its metadata spells it.
    public var name: String
    /// The installed version.
    public var version: String
    /// The tool that installed it (`pip`, `uv`, `conda`), when recorded.
    public var installer: String?
    /// Where it was installed from when that was not an index: a local path or URL (`direct_url.json`).
    public var sourceURL: String?
    /// Whether it is an editable (development) install.
    public var editable: Bool
    /// The hashes of the archive it was installed from (`sha256:…`), when the installer recorded them.
    public var archiveHashes: [String]

    /// Creates a description.
    public init(name: String, version: String, installer: String? = nil, sourceURL: String? = nil,
                editable: Bool = false, archiveHashes: [String] = [])
    {
        self.name = name
        self.version = version
        self.installer = installer
        self.sourceURL = sourceURL
        self.editable = editable
        self.archiveHashes = archiveHashes
    }

    /// The normalized name (PEP 503), which is how names compare.
    public var normalizedName: String { RequirementName.normalized(name) }

    /// `six==1.17.0`.
    public var description: String { "\(name)==\(version)" }

    /// The packages that bootstrap an environment rather than belong to what runs in it. Like `pip freeze`,
    /// lock files leave them out unless asked.
    public static let environmentTools: Set<String> = ["pip", "setuptools", "wheel", "distribute"]

    // Lists what lives in the environment's own site-packages (a --system-site-packages environment sees more,
    // which is not its own) with importlib.metadata, so that it works whatever installed the packages.
    static let listingScript = """
        import json, re, sys, sysconfig
        from importlib import metadata
        paths = []
        for key in ("purelib", "platlib"):
            path = sysconfig.get_paths()[key]
            if path not in paths:
                paths.append(path)
        found = {}
        for dist in metadata.distributions(path=paths):
            name = dist.metadata["Name"]
            if not name:
                continue
            key = re.sub(r"[-_.]+", "-", name).lower()
            if key in found:
                continue
            try:
                direct = json.loads(dist.read_text("direct_url.json") or "null")
            except ValueError:
                direct = None
            hashes = []
            if direct and isinstance(direct.get("archive_info"), dict):
                info = direct["archive_info"]
                for algorithm, value in sorted((info.get("hashes") or {}).items()):
                    hashes.append(algorithm + ":" + value)
                if not hashes and info.get("hash"):
                    hashes.append(info["hash"].replace("=", ":", 1))
            found[key] = {
                "name": name, "version": dist.version,
                "installer": (dist.read_text("INSTALLER") or "").strip() or None,
                "sourceURL": direct.get("url") if direct else None,
                "editable": bool(direct and (direct.get("dir_info") or {}).get("editable")),
                "archiveHashes": hashes,
            }
        json.dump(sorted(found.values(), key=lambda p: p["name"].lower()), sys.stdout)
        """

    /// The packages installed in the environment whose interpreter is `python`.
    static func list(python: String) async throws(JinnError) -> [InstalledPackage] {
        let (termination, output, errors) = try await runCapturing(
            python, ["-I", "-c", listingScript], environment: ToolRun.toolEnvironment())
        guard termination.isSuccess else {
            throw .interpreterInspectionFailed(
                path: python, details: "it could not list its packages: " + String(decoding: errors.suffix(4000), as: UTF8.self))
        }
        do {
            return try JSONDecoder().decode([InstalledPackage].self, from: Data(output))
        } catch {
            throw .protocolViolation("the package listing of \(python) was not understood: \(error)")
        }
    }
}
