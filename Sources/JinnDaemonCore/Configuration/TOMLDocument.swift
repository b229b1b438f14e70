/// A parser for the subset of TOML that Jinn's configuration uses: comments, `key = value` pairs, `[table]`
/// headers, basic and literal strings (with the usual escapes), integers (with `_` separators), floats, booleans,
/// and arrays of these (over several lines, with a trailing comma). Inline tables, dates and multi-line strings are
/// refused with an error naming the line.
///
/// ```swift
/// let document = try TOMLDocument(parsing: "preload = [\"numpy\"]\n[daemon]\nidle_timeout = 600\n")
/// document.values["daemon.idle_timeout"]   // .integer(600)
/// ```
package struct TOMLDocument: Sendable, Equatable {
    /// A TOML value.
    package enum Value: Sendable, Equatable, CustomStringConvertible {
        case string(String)
        case integer(Int)
        case float(Double)
        case boolean(Bool)
        case array([Value])

        /// The TOML type name, for error messages.
        package var typeName: String {
            switch self {
            case .string: "a string"
            case .integer: "an integer"
            case .float: "a float"
            case .boolean: "a boolean"
            case .array: "an array"
            }
        }

        package var description: String {
            switch self {
            case .string(let text): "\"\(text)\""
            case .integer(let number): String(number)
            case .float(let number): String(number)
            case .boolean(let flag): String(flag)
            case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
            }
        }
    }

    /// Values by dotted key (`table.key` for keys under a `[table]` header), and the line each was set on.
    package private(set) var values: [String: Value] = [:]
    package private(set) var lines: [String: Int] = [:]

    /// A syntax error, with its line number (from 1).
    package struct SyntaxError: Error, Equatable, CustomStringConvertible {
        package var line: Int
        package var message: String
        package var description: String { "line \(line): \(message)" }
    }

    /// Parses a document.
    package init(parsing text: String) throws(SyntaxError) {
        var parser = Parser(scalars: Array(text.unicodeScalars))
        var table = ""
        while true {
            parser.skipBlankLinesAndComments()
            guard let next = parser.peek() else { break }
            if next == "[" {
                parser.advance()
                if parser.peek() == "[" {
                    throw parser.error("arrays of tables ([[...]]) are not supported")
                }
                let key = try parser.key()
                parser.skipSpaces()
                guard parser.peek() == "]" else { throw parser.error("expected ']' after the table name") }
                parser.advance()
                try parser.endOfLine()
                table = key
                continue
            }
            let line = parser.line
            let key = try parser.key()
            parser.skipSpaces()
            guard parser.peek() == "=" else { throw parser.error("expected '=' after the key '\(key)'") }
            parser.advance()
            parser.skipSpaces()
            let value = try parser.value()
            try parser.endOfLine()
            let full = table.isEmpty ? key : table + "." + key
            guard values[full] == nil else {
                throw SyntaxError(line: line, message: "the key '\(full)' is defined twice")
            }
            values[full] = value
            lines[full] = line
        }
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0
        var line = 1

        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }

        mutating func advance() {
            if scalars[index] == "\n" { line += 1 }
            index += 1
        }

        func error(_ message: String) -> SyntaxError { SyntaxError(line: line, message: message) }

        mutating func skipSpaces() {
            while let next = peek(), next == " " || next == "\t" { advance() }
        }

        mutating func skipComment() {
            if peek() == "#" { while let next = peek(), next != "\n" { advance() } }
        }

        mutating func skipBlankLinesAndComments() {
            while true {
                skipSpaces()
                skipComment()
                if peek() == "\r" && peek(1) == "\n" { advance() }
                guard peek() == "\n" else { return }
                advance()
            }
        }

        mutating func endOfLine() throws(SyntaxError) {
            skipSpaces()
            skipComment()
            if peek() == "\r" { advance() }
            guard let next = peek() else { return }
            guard next == "\n" else { throw error("unexpected '\(next)' after the value; put one key per line") }
            advance()
        }

        /// A bare or quoted key, possibly dotted.
        mutating func key() throws(SyntaxError) -> String {
            var parts: [String] = []
            while true {
                skipSpaces()
                if peek() == "\"" || peek() == "'" {
                    guard case .string(let text) = try value() else { throw error("expected a key") }
                    parts.append(text)
                } else {
                    var bare = ""
                    while let next = peek(), next.properties.isAlphabetic || ("0"..."9").contains(next)
                        || next == "_" || next == "-"
                    {
                        bare.unicodeScalars.append(next)
                        advance()
                    }
                    guard !bare.isEmpty else {
                        throw error(peek().map { "unexpected '\($0)' where a key was expected" } ?? "a key is missing")
                    }
                    parts.append(bare)
                }
                skipSpaces()
                guard peek() == "." else { return parts.joined(separator: ".") }
                advance()
            }
        }

        mutating func value() throws(SyntaxError) -> Value {
            guard let first = peek() else { throw error("a value is missing") }
            switch first {
            case "\"":
                if peek(1) == "\"" && peek(2) == "\"" { throw error("multi-line strings are not supported") }
                return .string(try basicString())
            case "'":
                if peek(1) == "'" && peek(2) == "'" { throw error("multi-line strings are not supported") }
                advance()
                var text = ""
                while let next = peek(), next != "'" {
                    guard next != "\n" else { throw error("a string is not closed on its line") }
                    text.unicodeScalars.append(next)
                    advance()
                }
                guard peek() == "'" else { throw error("a string is not closed") }
                advance()
                return .string(text)
            case "[":
                advance()
                var elements: [Value] = []
                while true {
                    skipBlankLinesAndComments()
                    guard peek() != nil else { throw error("an array is not closed") }
                    if peek() == "]" {
                        advance()
                        return .array(elements)
                    }
                    elements.append(try value())
                    skipBlankLinesAndComments()
                    if peek() == "," {
                        advance()
                    } else if peek() != "]" {
                        throw error("expected ',' or ']' in an array")
                    }
                }
            case "{":
                throw error("inline tables are not supported")
            default:
                var word = ""
                while let next = peek(), !" \t\r\n,]#".unicodeScalars.contains(next) {
                    word.unicodeScalars.append(next)
                    advance()
                }
                if word == "true" { return .boolean(true) }
                if word == "false" { return .boolean(false) }
                let digits = word.replacingUnderscores()
                if let number = Int(digits) { return .integer(number) }
                if word.hasPrefix("0x"), let number = Int(digits.dropFirst(2), radix: 16) { return .integer(number) }
                if word.hasPrefix("0o"), let number = Int(digits.dropFirst(2), radix: 8) { return .integer(number) }
                if word.hasPrefix("0b"), let number = Int(digits.dropFirst(2), radix: 2) { return .integer(number) }
                if word == "inf" || word == "+inf" { return .float(.infinity) }
                if word == "-inf" { return .float(-.infinity) }
                if word == "nan" || word == "+nan" || word == "-nan" { return .float(.nan) }
                if let number = Double(digits), digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
                    return .float(number)
                }
                throw error(word.isEmpty ? "a value is missing" : "'\(word)' is not a TOML value (strings need quotes)")
            }
        }

        mutating func basicString() throws(SyntaxError) -> String {
            advance()
            var text = ""
            while let next = peek(), next != "\"" {
                guard next != "\n" else { throw error("a string is not closed on its line") }
                advance()
                guard next == "\\" else {
                    text.unicodeScalars.append(next)
                    continue
                }
                guard let escape = peek() else { break }
                advance()
                switch escape {
                case "n": text += "\n"
                case "t": text += "\t"
                case "r": text += "\r"
                case "b": text += "\u{8}"
                case "f": text += "\u{c}"
                case "\"": text += "\""
                case "\\": text += "\\"
                case "u", "U":
                    let count = escape == "u" ? 4 : 8
                    var hex = ""
                    for _ in 0..<count {
                        guard let digit = peek() else { break }
                        hex.unicodeScalars.append(digit)
                        advance()
                    }
                    guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                        throw error("'\\\(escape)\(hex)' is not a valid escape")
                    }
                    text.unicodeScalars.append(scalar)
                default:
                    throw error("'\\\(escape)' is not a valid escape")
                }
            }
            guard peek() == "\"" else { throw error("a string is not closed") }
            advance()
            return text
        }
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(unicodeScalars.filter { $0 != "_" })
    }
}
