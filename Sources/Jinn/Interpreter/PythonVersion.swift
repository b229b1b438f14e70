/// A Python version, such as 3.11.7.
public struct PythonVersion: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The major version (3).
    public var major: Int
    /// The minor version (11 in 3.11.7).
    public var minor: Int
    /// The micro version (7 in 3.11.7).
    public var micro: Int
    /// `final`, or `alpha`, `beta` or `candidate` for a pre-release.
    public var releaseLevel: String

    /// The oldest version Jinn supports.
    public static let minimumSupported = PythonVersion(major: 3, minor: 9, micro: 0)

    /// Creates a version.
    public init(major: Int, minor: Int, micro: Int, releaseLevel: String = "final") {
        self.major = major
        self.minor = minor
        self.micro = micro
        self.releaseLevel = releaseLevel
    }

    public static func < (lhs: PythonVersion, rhs: PythonVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.micro) < (rhs.major, rhs.minor, rhs.micro)
    }

    /// `3.11.7`, with the release level appended for pre-releases.
    public var description: String {
        "\(major).\(minor).\(micro)" + (releaseLevel == "final" ? "" : " (\(releaseLevel))")
    }
}
