/// A set of PEP 440 version clauses, such as `>=3.9,<3.13` or `==3.11.*`: what `requires-python` and a
/// requirement's version part hold.
///
/// ```swift
/// let wanted = try VersionSpecifier(">=3.10, !=3.11.*")
/// wanted.contains(try PackageVersion("3.12.1"))   // true
/// wanted.contains(try PackageVersion("3.11.7"))   // false
/// ```
public struct VersionSpecifier: Sendable, Hashable, CustomStringConvertible {
    /// One clause: an operator and a version.
    public struct Clause: Sendable, Hashable, CustomStringConvertible {
        /// `~=`, `==`, `!=`, `<=`, `>=`, `<`, `>` or `===`.
        public var comparison: String
        /// The version as written, without space (it may end in `.*` after `==` and `!=`).
        public var version: String

        public var description: String { comparison + version }
    }

    /// The clauses; a version must satisfy all of them.
    public var clauses: [Clause]

    /// The operators, longest first so that `===` is read before `==`.
    static let comparisons = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"]

    /// Parses comma-separated clauses; throws when one is not a PEP 440 clause.
    public init(_ text: String) throws(JinnError) {
        clauses = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let clause = part.trimmingPrefix(while: \.isWhitespace)
            guard let comparison = Self.comparisons.first(where: { clause.hasPrefix($0) }) else {
                throw .environment(.invalidRequirement(
                    text, reason: "'\(clause)' does not start with one of " + Self.comparisons.joined(separator: " ")))
            }
            var version = String(clause.dropFirst(comparison.count))
            version = String(version.trimmingPrefix(while: \.isWhitespace))
            while version.last?.isWhitespace == true { version.removeLast() }
            try Self.check(comparison, version, in: text)
            clauses.append(Clause(comparison: comparison, version: version))
        }
    }

    /// `>=3.10,!=3.11.*`.
    public var description: String { clauses.map(\.description).joined(separator: ",") }

    /// Whether `version` satisfies every clause.
    public func contains(_ version: PackageVersion) -> Bool {
        clauses.allSatisfy { clause in Self.matches(clause, version) }
    }

    private static func check(_ comparison: String, _ version: String, in text: String) throws(JinnError) {
        if comparison == "===" {
            guard !version.isEmpty, version.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "," && $0 != ";" })
            else { throw .environment(.invalidRequirement(text, reason: "'===' needs a version without spaces")) }
            return
        }
        var bare = Substring(version)
        if bare.hasSuffix(".*") {
            guard comparison == "==" || comparison == "!=" else {
                throw .environment(.invalidRequirement(text, reason: "only == and != take a version ending in .*"))
            }
            bare = bare.dropLast(2)
        }
        guard let parsed = try? PackageVersion(String(bare)) else {
            throw .environment(.invalidRequirement(
                text, reason: "'\(version)' after '\(comparison)' is not a version as PEP 440 defines it"))
        }
        if comparison == "~=" && parsed.release.count < 2 {
            throw .environment(.invalidRequirement(text, reason: "'~=' needs a version of at least two numbers"))
        }
    }

    private static func matches(_ clause: Clause, _ version: PackageVersion) -> Bool {
        if clause.comparison == "===" { return clause.version == version.description }
        if clause.version.hasSuffix(".*"), let prefix = try? PackageVersion(String(clause.version.dropLast(2))) {
            let length = prefix.release.count
            let same = prefix.epoch == version.epoch && version.paddedRelease(length).prefix(length)
                == prefix.paddedRelease(length)[...]
            return clause.comparison == "==" ? same : !same
        }
        guard var wanted = try? PackageVersion(clause.version) else { return false }
        // A version is compared without its local label unless the clause names one.
        var candidate = version
        if wanted.local == nil { candidate.local = nil }
        switch clause.comparison {
        case "==": return candidate == wanted
        case "!=": return candidate != wanted
        case "<=": return candidate <= wanted
        case ">=": return candidate >= wanted
        case "<": return candidate < wanted
        case ">": return candidate > wanted
        default:
            // ~=X.Y.Z means >=X.Y.Z and ==X.Y.*.
            guard candidate >= wanted else { return false }
            wanted.release.removeLast()
            let length = wanted.release.count
            return candidate.epoch == wanted.epoch && Array(candidate.paddedRelease(length).prefix(length))
                == wanted.release
        }
    }
}
