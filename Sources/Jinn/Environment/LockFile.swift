import Foundation

/// The exact contents of an environment, to recreate it elsewhere: the interpreter it was made for, the
/// platform, every package pinned to its version, and the hashes of the distributions where the installer
/// provides them.
///
/// It is JSON:
///
/// ```json
/// {
///   "format" : 1,
///   "installer" : "uv 0.13.9",
///   "packages" : [
///     { "hashes" : [ "sha256:4721f391…", "sha256:ff70335d…" ], "name" : "six", "version" : "1.17.0" }
///   ],
///   "platform" : { "machine" : "x86_64", "system" : "linux" },
///   "python" : { "implementation" : "cpython", "version" : "3.11.7" }
/// }
/// ```
public struct LockFile: Sendable, Hashable, Codable {
    /// The interpreter a lock was made with.
    public struct Python: Sendable, Hashable, Codable {
        /// `cpython`, `pypy`, ….
        public var implementation: String
        /// The full version, such as `3.11.7`; restoring needs the same major and minor version.
        public var version: String
    }

    /// The platform a lock was made on.
    public struct Platform: Sendable, Hashable, Codable {
        /// `sys.platform`, such as `linux`.
        public var system: String
        /// The machine architecture, such as `x86_64`.
        public var machine: String
    }

    /// One pinned package.
    public struct Package: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The project name.
        public var name: String
        /// The exact version.
        public var version: String
        /// Where it comes from when that is not the index: a local path or URL.
        public var url: String?
        /// Accepted distribution hashes (`sha256:…`); empty when the installer provided none.
        public var hashes: [String]

        /// Creates a pin.
        public init(name: String, version: String, url: String? = nil, hashes: [String] = []) {
            self.name = name
            self.version = version
            self.url = url
            self.hashes = hashes
        }

        private enum CodingKeys: String, CodingKey { case name, version, url, hashes }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            version = try container.decode(String.self, forKey: .version)
            url = try container.decodeIfPresent(String.self, forKey: .url)
            hashes = try container.decodeIfPresent([String].self, forKey: .hashes) ?? []
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(version, forKey: .version)
            try container.encodeIfPresent(url, forKey: .url)
            if !hashes.isEmpty { try container.encode(hashes, forKey: .hashes) }
        }

        /// `six==1.17.0`, or `tool @ file:///…`.
        public var description: String { url.map { "\(name) @ \($0)" } ?? "\(name)==\(version)" }

        /// The line of a requirements file that installs exactly this package.
        func requirementLine(withHashes: Bool) -> String {
            var line = description
            if withHashes { for hash in hashes { line += " --hash=" + hash } }
            return line
        }
    }

    /// The version of the lock format this library writes.
    public static let currentFormat = 1

    /// The lock format version.
    public var format: Int
    /// The interpreter the lock was made with.
    public var python: Python
    /// The platform the lock was made on.
    public var platform: Platform
    /// The installer that made the hashes (informative).
    public var installer: String?
    /// The packages, sorted by name.
    public var packages: [Package]

    /// Creates a lock.
    public init(python: Python, platform: Platform, installer: String?, packages: [Package]) {
        self.format = Self.currentFormat
        self.python = python
        self.platform = platform
        self.installer = installer
        self.packages = packages.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    /// Reads a lock file.
    public init(contentsOf path: String) throws(JinnError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .environment(.invalidLockFile(path: path, reason: "it cannot be read"))
        }
        try self.init(data: data, path: path)
    }

    /// Decodes a lock from its JSON; `path` names it in errors.
    public init(data: Data, path: String = "<data>") throws(JinnError) {
        do {
            self = try JSONDecoder().decode(LockFile.self, from: data)
        } catch {
            throw .environment(.invalidLockFile(path: path, reason: "it is not a Jinn lock file (\(error))"))
        }
        guard format <= Self.currentFormat else {
            throw .environment(.invalidLockFile(
                path: path, reason: "it has format \(format), newer than this Jinn understands (\(Self.currentFormat))"))
        }
        try validate(path: path)
    }

    /// The lock as pretty-printed JSON with sorted keys, so that two locks of the same environment are equal
    /// byte for byte.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)) ?? Data()) + Data("\n".utf8)
    }

    /// Writes the lock to `path`, atomically.
    public func write(to path: String) throws(JinnError) {
        do {
            try encoded().write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .environment(.invalidLockFile(path: path, reason: "it cannot be written (\(error.localizedDescription))"))
        }
    }

    /// Whether `interpreter` can restore the lock: same implementation, major and minor version, platform and
    /// machine. Returns a description of the difference, or nil when it can.
    public func mismatch(with interpreter: PythonInterpreter) -> String? {
        let wanted = "\(python.implementation) \(python.version.split(separator: ".").prefix(2).joined(separator: ".")) "
            + "on \(platform.system)/\(platform.machine)"
        let found = "\(interpreter.implementation) \(interpreter.version.major).\(interpreter.version.minor) "
            + "on \(interpreter.platform)/\(interpreter.machine)"
        return wanted == found ? nil : found
    }

    /// The differences between the lock and what is installed: packages missing, packages not in the lock,
    /// and packages at another version. The environment's own tools (pip, setuptools, wheel) count only when the
    /// lock lists them.
    public func differences(from installed: [InstalledPackage])
        -> (missing: [String], unexpected: [String], differing: [String])
    {
        let locked = Dictionary(packages.map { (RequirementName.normalized($0.name), $0) }, uniquingKeysWith: { a, _ in a })
        let present = Dictionary(installed.map { ($0.normalizedName, $0) }, uniquingKeysWith: { a, _ in a })
        let missing = locked.keys.filter { present[$0] == nil }.sorted().map { locked[$0]!.description }
        let unexpected = present.keys
            .filter { locked[$0] == nil && !InstalledPackage.environmentTools.contains($0) }
            .sorted().map { present[$0]!.description }
        let differing = locked.keys.sorted().compactMap { key -> String? in
            guard let have = present[key], let want = locked[key], have.version != want.version else { return nil }
            return "\(want.name) \(have.version) instead of \(want.version)"
        }
        return (missing, unexpected, differing)
    }

    /// The lock's wording of its interpreter, such as `cpython 3.11.7 on linux/x86_64`.
    var interpreterDescription: String {
        "\(python.implementation) \(python.version) on \(platform.system)/\(platform.machine)"
    }
}
