import Foundation

/// A dependency as PEP 508 defines it: a name, extras, and either version clauses or a URL, then an environment
/// marker: `requests[socks]>=2.31,<3; python_version >= "3.9"`, `tool @ https://example.org/tool-1.0.whl`.
///
/// Parsing checks the whole grammar, so that text that is not a requirement (a newline, an installer option such as
/// `--index-url`, a stray quote) never reaches an installer. ``description`` is the normal form, which is what
/// environments are keyed by and what installers get.
///
/// ```swift
/// let requirement = try PackageRequirement("Six >= 1.16 ; python_version>'3'")
/// print(requirement)             // six>=1.16; python_version > "3"
/// requirement.normalizedName     // "six"
/// ```
public struct PackageRequirement: Sendable, Hashable, CustomStringConvertible {
    /// The project name as written.
    public var name: String
    /// The extras, normalized and sorted.
    public var extras: [String]
    /// The version clauses (empty when there are none, or with a URL).
    public var specifier: VersionSpecifier?
    /// The URL of a direct reference (`name @ URL`).
    public var url: String?
    /// The environment marker, normalized (`python_version >= "3.9" and os_name == "posix"`).
    public var marker: String?

    /// The name normalized as the package index compares names (PEP 503).
    public var normalizedName: String { RequirementName.normalized(name) }

    /// Parses a requirement; throws ``EnvironmentError/invalidRequirement(_:reason:)`` saying what is wrong.
    public init(_ text: String) throws(JinnError) {
        var parser = RequirementParser(text)
        do {
            self = try parser.requirement()
        } catch {
            throw .environment(.invalidRequirement(text, reason: error.reason + " (PEP 508)"))
        }
    }

    init(name: String, extras: [String], specifier: VersionSpecifier? = nil, url: String? = nil,
         marker: String? = nil)
    {
        self.name = name
        self.extras = extras
        self.specifier = specifier
        self.url = url
        self.marker = marker
    }

    /// Whether `name` is a project name as PEP 508 defines it: letters, digits, `.`, `_` and `-`, starting and
    /// ending with a letter or digit.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, let last = name.utf8.last, isAlphanumeric(first), isAlphanumeric(last)
        else { return false }
        return name.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
            || $0 == UInt8(ascii: "-") }
    }

    /// Whether `url` is a URL as a direct reference may hold it: a scheme, then printable ASCII without spaces or
    /// quotes.
    public static func isValidURL(_ url: String) -> Bool {
        guard let colon = url.firstIndex(of: ":"), colon != url.startIndex, url.index(after: colon) != url.endIndex
        else { return false }
        let scheme = url[..<colon].utf8
        guard isLetter(scheme.first!), scheme.allSatisfy({ isAlphanumeric($0) || "+-.".utf8.contains($0) }) else {
            return false
        }
        return url.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "'")
            && $0 != UInt8(ascii: "\\") }
    }

    /// `six>=1.16`, `requests[socks]==2.31.0; python_version >= "3.9"`, `tool @ file:///src/tool.whl`.
    public var description: String {
        var text = normalizedName
        if !extras.isEmpty { text += "[" + extras.joined(separator: ",") + "]" }
        if let url {
            text += " @ " + url
            if marker != nil { text += " " }
        } else if let specifier {
            text += specifier.description
        }
        if let marker { text += "; " + marker }
        return text
    }

    static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

/// Why a requirement did not parse.
struct RequirementSyntaxError: Error {
    var reason: String
}

/// A recursive-descent reader of PEP 508's grammar.
private struct RequirementParser {
    let bytes: [UInt8]
    var position = 0

    /// The variables a marker may name.
    static let markerVariables: Set<String> = [
        "python_version", "python_full_version", "os_name", "sys_platform", "platform_release", "platform_system",
        "platform_version", "platform_machine", "platform_python_implementation", "implementation_name",
        "implementation_version", "extra", "extras", "dependency_groups",
    ]

    init(_ text: String) { bytes = Array(text.utf8) }

    mutating func requirement() throws(RequirementSyntaxError) -> PackageRequirement {
        skipSpaces()
        let name = identifier()
        guard !name.isEmpty, PackageRequirement.isValidName(name) else {
            throw fail(name.isEmpty ? "it does not start with a project name" : "'\(name)' is not a project name")
        }
        skipSpaces()
        var extras: [String] = []
        if take("[") {
            skipSpaces()
            while !take("]") {
                let extra = identifier()
                guard PackageRequirement.isValidName(extra) else { throw fail("expected an extra's name") }
                extras.append(RequirementName.normalized(extra))
                skipSpaces()
                if take(",") { skipSpaces() } else if !peek("]") { throw fail("expected ',' or ']' in the extras") }
            }
            skipSpaces()
        }
        var requirement = PackageRequirement(name: name, extras: Array(Set(extras)).sorted())
        if take("@") {
            skipSpaces()
            let start = position
            while let byte = current, byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t") { position += 1 }
            let url = String(decoding: bytes[start..<position], as: UTF8.self)
            guard PackageRequirement.isValidURL(url) else { throw fail("'\(url)' is not a URL") }
            requirement.url = url
            let hadSpace = skipSpaces()
            if peek(";") && !hadSpace { throw fail("a URL needs a space before ';'") }
        } else {
            let parenthesized = take("(")
            let start = position
            while let byte = current, byte != UInt8(ascii: ";"), byte != UInt8(ascii: ")") { position += 1 }
            let clauses = String(decoding: bytes[start..<position], as: UTF8.self)
            if parenthesized && !take(")") { throw fail("a '(' around the version has no ')'") }
            if clauses.contains(where: { !$0.isWhitespace }) {
                do throws(JinnError) {
                    requirement.specifier = try VersionSpecifier(clauses)
                } catch {
                    if case .environment(.invalidRequirement(_, let reason)) = error { throw fail(reason) }
                    throw fail("'\(clauses)' is not a version specifier")
                }
            } else if parenthesized {
                throw fail("'()' holds no version")
            }
            skipSpaces()
        }
        if take(";") {
            requirement.marker = try markerOr()
            skipSpaces()
        }
        guard current == nil else {
            let rest = String(decoding: bytes[position...], as: UTF8.self)
            throw fail("unexpected \(rest.debugDescription)")
        }
        return requirement
    }

    // MARK: Markers

    private mutating func markerOr() throws(RequirementSyntaxError) -> String {
        var text = try markerAnd()
        while keyword("or") { text += " or " + (try markerAnd()) }
        return text
    }

    private mutating func markerAnd() throws(RequirementSyntaxError) -> String {
        var text = try markerExpression()
        while keyword("and") { text += " and " + (try markerExpression()) }
        return text
    }

    private mutating func markerExpression() throws(RequirementSyntaxError) -> String {
        skipSpaces()
        if take("(") {
            let inner = try markerOr()
            skipSpaces()
            guard take(")") else { throw fail("a '(' in the marker has no ')'") }
            return "(" + inner + ")"
        }
        let left = try markerValue()
        skipSpaces()
        let comparison: String
        if let found = VersionSpecifier.comparisons.first(where: { peekWord($0) }) {
            position += found.utf8.count
            comparison = found
        } else if keyword("in") {
            comparison = "in"
        } else if keyword("not") {
            guard keyword("in") else { throw fail("expected 'in' after 'not' in the marker") }
            comparison = "not in"
        } else {
            throw fail("expected a comparison in the marker")
        }
        let right = try markerValue()
        return left + " " + comparison + " " + right
    }

    private mutating func markerValue() throws(RequirementSyntaxError) -> String {
        skipSpaces()
        if let quote = current, quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") {
            position += 1
            let start = position
            while let byte = current, byte != quote {
                guard byte >= 0x20, byte != UInt8(ascii: "'"), byte != UInt8(ascii: "\"") else {
                    throw fail("a marker's string holds a control character or a quote")
                }
                position += 1
            }
            guard current == quote else { throw fail("a marker's string has no closing quote") }
            let value = String(decoding: bytes[start..<position], as: UTF8.self)
            position += 1
            return "\"" + value + "\""
        }
        let start = position
        while let byte = current, PackageRequirement.isAlphanumeric(byte) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: ".") { position += 1 }
        let name = String(decoding: bytes[start..<position], as: UTF8.self)
        // `os.name` and the like are PEP 345's spellings, which PEP 508 still accepts.
        let variable = name.replacingOccurrences(of: ".", with: "_")
        guard Self.markerVariables.contains(variable) else {
            throw fail(name.isEmpty ? "expected a marker variable or a quoted string" : "'\(name)' is not a marker variable")
        }
        return variable
    }

    // MARK: Scanning

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func peek(_ character: Character) -> Bool { current == character.asciiValue }

    private func peekWord(_ word: String) -> Bool {
        let word = Array(word.utf8)
        return bytes.count - position >= word.count && Array(bytes[position..<position + word.count]) == word
    }

    private mutating func take(_ character: Character) -> Bool {
        guard peek(character) else { return false }
        position += 1
        return true
    }

    /// `word` as a whole word after optional spaces.
    private mutating func keyword(_ word: String) -> Bool {
        let start = position
        skipSpaces()
        if peekWord(word) {
            let end = position + word.utf8.count
            if end == bytes.count || !PackageRequirement.isAlphanumeric(bytes[end]) {
                position = end
                return true
            }
        }
        position = start
        return false
    }

    @discardableResult
    private mutating func skipSpaces() -> Bool {
        let start = position
        while current == UInt8(ascii: " ") || current == UInt8(ascii: "\t") { position += 1 }
        return position > start
    }

    private mutating func identifier() -> String {
        let start = position
        while let byte = current, PackageRequirement.isAlphanumeric(byte) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private func fail(_ reason: String) -> RequirementSyntaxError {
        RequirementSyntaxError(reason: reason)
    }
}
