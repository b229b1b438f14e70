/// A version as PEP 440 defines it: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, with the spellings the
/// specification normalizes (`1.0-alpha.1`, `v2`, `1.0.post`, upper case) accepted and compared as their normal
/// forms.
///
/// ```swift
/// let version = try PackageVersion("3.11.7")
/// version < (try PackageVersion("3.12.0rc1"))   // true
/// PackageVersion.isValid("1.17.0\n--index-url http://example.org")   // false
/// ```
public struct PackageVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The epoch (`N!`), 0 when absent.
    public var epoch: Int
    /// The release numbers, such as `[3, 11, 7]`.
    public var release: [Int]
    /// The pre-release (`a`, `b` or `rc`, and its number).
    public var pre: (kind: String, number: Int)?
    /// The post-release number.
    public var post: Int?
    /// The development release number.
    public var dev: Int?
    /// The local version label (after `+`), normalized to `.` separators and lower case.
    public var local: String?

    /// Parses a version; throws when it is not one.
    public init(_ text: String) throws(JinnError) {
        guard let parsed = Self.parse(text) else {
            throw .environment(.invalidRequirement(text, reason: "it is not a version as PEP 440 defines it"))
        }
        self = parsed
    }

    /// Whether `text` is a PEP 440 version (no surrounding space).
    public static func isValid(_ text: String) -> Bool { parse(text) != nil }

    /// The normalized form: `1.0a1`, `2!1.0.post2.dev3+ubuntu.1`.
    public var description: String {
        var text = epoch == 0 ? "" : "\(epoch)!"
        text += release.map(String.init).joined(separator: ".")
        if let pre { text += pre.kind + String(pre.number) }
        if let post { text += ".post\(post)" }
        if let dev { text += ".dev\(dev)" }
        if let local { text += "+" + local }
        return text
    }

    public static func == (a: PackageVersion, b: PackageVersion) -> Bool {
        a.epoch == b.epoch && a.paddedRelease(b.release.count) == b.paddedRelease(a.release.count)
            && a.suffixKey == b.suffixKey && a.local == b.local
    }

    public func hash(into hasher: inout Hasher) {
        var release = self.release
        while release.count > 1 && release.last == 0 { release.removeLast() }
        hasher.combine(epoch)
        hasher.combine(release)
        hasher.combine(suffixKey)
        hasher.combine(local)
    }

    public static func < (a: PackageVersion, b: PackageVersion) -> Bool {
        if a.epoch != b.epoch { return a.epoch < b.epoch }
        let length = max(a.release.count, b.release.count)
        let (x, y) = (a.paddedRelease(length), b.paddedRelease(length))
        if x != y { return x.lexicographicallyPrecedes(y) }
        if a.suffixKey != b.suffixKey { return a.suffixKey.lexicographicallyPrecedes(b.suffixKey) }
        return (a.local ?? "") < (b.local ?? "")
    }

    /// The release padded with zeros to `count` numbers.
    func paddedRelease(_ count: Int) -> [Int] {
        release + Array(repeating: 0, count: max(0, count - release.count))
    }

    /// Numbers that order what follows the release as PEP 440 does: a development release comes before its
    /// pre-release, which comes before the release, which comes before its post-release.
    private var suffixKey: [Int] {
        let preRank: [String: Int] = ["a": 0, "b": 1, "rc": 2]
        var key: [Int]
        if let pre {
            key = [preRank[pre.kind] ?? 0, pre.number]
        } else if post == nil && dev != nil {
            key = [-1, 0]
        } else {
            key = [3, 0]
        }
        key += post.map { [1, $0] } ?? [0, 0]
        key += dev.map { [0, $0] } ?? [1, 0]
        return key
    }

    private static func parse(_ original: String) -> PackageVersion? {
        var scanner = VersionScanner(Array(original.lowercased().utf8))
        _ = scanner.take("v")
        var epoch = 0
        guard var first = scanner.number() else { return nil }
        if scanner.take("!") {
            epoch = first
            guard let next = scanner.number() else { return nil }
            first = next
        }
        var release = [first]
        while scanner.peek(".") && scanner.isDigit(at: 1) {
            _ = scanner.take(".")
            release.append(scanner.number()!)
        }
        var version = PackageVersion(epoch: epoch, release: release)
        let preSpellings = [("alpha", "a"), ("a", "a"), ("beta", "b"), ("b", "b"), ("preview", "rc"), ("pre", "rc"),
                            ("rc", "rc"), ("c", "rc")]
        if let (kind, number) = scanner.labelled(preSpellings) { version.pre = (kind, number ?? 0) }
        let mark = scanner.position
        if scanner.take("-"), let number = scanner.number() {
            version.post = number
        } else {
            scanner.position = mark
            if let (_, number) = scanner.labelled([("post", "post"), ("rev", "post"), ("r", "post")]) {
                version.post = number ?? 0
            }
        }
        if let (_, number) = scanner.labelled([("dev", "dev")]) { version.dev = number ?? 0 }
        if scanner.take("+") {
            var parts: [String] = []
            repeat {
                let part = scanner.alphanumerics()
                guard !part.isEmpty else { return nil }
                parts.append(part)
            } while scanner.takeSeparator()
            version.local = parts.joined(separator: ".")
        }
        return scanner.atEnd ? version : nil
    }

    private init(epoch: Int, release: [Int]) {
        self.epoch = epoch
        self.release = release
    }
}

/// Reads a version's bytes left to right.
private struct VersionScanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }

    func peek(_ character: Character) -> Bool { position < bytes.count && bytes[position] == character.asciiValue }

    func isDigit(at offset: Int) -> Bool {
        position + offset < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position + offset])
    }

    mutating func take(_ character: Character) -> Bool {
        guard peek(character) else { return false }
        position += 1
        return true
    }

    mutating func takeSeparator() -> Bool { take(".") || take("-") || take("_") }

    /// A run of digits, at most 18 of them (larger numbers are not versions anyone uses, and would overflow).
    mutating func number() -> Int? {
        let start = position
        while isDigit(at: 0) && position - start < 18 { position += 1 }
        guard position > start, !isDigit(at: 0) else {
            position = start
            return nil
        }
        return Int(String(decoding: bytes[start..<position], as: UTF8.self))
    }

    mutating func alphanumerics() -> String {
        let start = position
        while position < bytes.count, bytes[position] < 0x80, Character(UnicodeScalar(bytes[position])).isLetter
            || isDigit(at: 0)
        {
            position += 1
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// `[-_.]? label [-_.]? number?` for the first label that matches; its normal kind and number.
    mutating func labelled(_ spellings: [(String, String)]) -> (String, Int?)? {
        let start = position
        _ = takeSeparator()
        for (spelling, kind) in spellings {
            let word = Array(spelling.utf8)
            guard bytes.count - position >= word.count, Array(bytes[position..<position + word.count]) == word else {
                continue
            }
            position += word.count
            let afterLabel = position
            _ = takeSeparator()
            if let number = number() { return (kind, number) }
            position = afterLabel
            return (kind, nil)
        }
        position = start
        return nil
    }
}
