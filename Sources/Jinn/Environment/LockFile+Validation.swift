extension LockFile {
    /// The hash algorithms a lock may name, with the length of their hexadecimal digests.
    static let hashLengths = ["sha256": 64, "sha384": 96, "sha512": 128]

    /// Checks every field before any of them reaches an installer: names as PEP 508 defines them, versions as
    /// PEP 440 does, URLs as a direct reference holds them, hashes as `ALGORITHM:HEX`, and the descriptive fields
    /// without control characters. A lock's text is data: none of it can become an installer's option or a line
    /// of its own in a requirements file.
    ///
    /// - Throws: ``EnvironmentError/invalidLockFile(path:reason:)`` naming the package and the field.
    public func validate(path: String = "<data>") throws(JinnError) {
        func invalid(_ reason: String) -> JinnError { .environment(.invalidLockFile(path: path, reason: reason)) }
        for (field, value) in [("python.implementation", python.implementation), ("platform.system", platform.system),
                               ("platform.machine", platform.machine), ("installer", installer ?? "")]
        where value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw invalid("its \(field) \(value.debugDescription) holds a control character")
        }
        guard PackageVersion.isValid(python.version) else {
            throw invalid("its python.version \(python.version.debugDescription) is not a version")
        }
        for package in packages {
            guard PackageRequirement.isValidName(package.name) else {
                throw invalid("the package name \(package.name.debugDescription) is not a project name (PEP 508)")
            }
            let label = "the package '\(package.name)'"
            guard PackageVersion.isValid(package.version) else {
                throw invalid("\(label) has the version \(package.version.debugDescription), "
                    + "which is not a version (PEP 440)")
            }
            if let url = package.url, !PackageRequirement.isValidURL(url) {
                throw invalid("\(label) has the url \(url.debugDescription), which is not a URL")
            }
            for hash in package.hashes where !Self.isValidHash(hash) {
                throw invalid("\(label) has the hash \(hash.debugDescription); a hash is "
                    + "sha256:, sha384: or sha512: and its hexadecimal digest")
            }
        }
    }

    static func isValidHash(_ hash: String) -> Bool {
        let parts = hash.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let length = hashLengths[String(parts[0])] else { return false }
        return parts[1].utf8.count == length && parts[1].utf8.allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
        }
    }
}
