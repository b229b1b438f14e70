/// Reads TOML 1.0's keys and values from a document's characters, keeping count of lines for errors.
struct TOMLParser {
    typealias Value = TOMLDocument.Value
    typealias SyntaxError = TOMLDocument.SyntaxError

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

    /// A bare or quoted key, possibly dotted, as its parts.
    mutating func key() throws(SyntaxError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            if peek() == "\"" {
                parts.append(try basicString())
            } else if peek() == "'" {
                parts.append(try literalString())
            } else {
                var bare = ""
                while let next = peek(), next.isASCII, next.properties.isAlphabetic || ("0"..."9").contains(next)
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
            guard peek() == "." else { return parts }
            advance()
        }
    }

    mutating func value() throws(SyntaxError) -> Value {
        guard let first = peek() else { throw error("a value is missing") }
        switch first {
        case "\"":
            if peek(1) == "\"" && peek(2) == "\"" { return .string(try multiLineString(literal: false)) }
            return .string(try basicString())
        case "'":
            if peek(1) == "'" && peek(2) == "'" { return .string(try multiLineString(literal: true)) }
            return .string(try literalString())
        case "[":
            return .array(try array())
        case "{":
            return .table(try inlineTable())
        default:
            return try scalar()
        }
    }

    private mutating func array() throws(SyntaxError) -> [Value] {
        advance()
        var elements: [Value] = []
        while true {
            skipBlankLinesAndComments()
            guard peek() != nil else { throw error("an array is not closed") }
            if peek() == "]" {
                advance()
                return elements
            }
            elements.append(try value())
            skipBlankLinesAndComments()
            if peek() == "," {
                advance()
            } else if peek() != "]" {
                throw error("expected ',' or ']' in an array")
            }
        }
    }

    /// `{ key = value, … }` on one line, with no trailing comma; its keys flattened with dots.
    private mutating func inlineTable() throws(SyntaxError) -> [String: Value] {
        advance()
        var table = TOMLTable(origin: .header)
        skipSpaces()
        if peek() == "}" {
            advance()
            return [:]
        }
        while true {
            let startLine = line
            let key = try key()
            guard peek() == "=" else { throw error("expected '=' after the key '\(key.joined(separator: "."))'") }
            advance()
            skipSpaces()
            try table.setValue(try value(), at: key, under: [], line: startLine)
            skipSpaces()
            if peek() == "}" {
                advance()
                break
            }
            guard peek() == "," else { throw error("expected ',' or '}' in an inline table (it must fit on one line)") }
            advance()
            skipSpaces()
            if peek() == "}" { throw error("an inline table cannot end with a comma") }
        }
        var values: [String: Value] = [:]
        var lines: [String: Int] = [:]
        table.flatten(into: &values, lines: &lines, prefix: "")
        return values
    }

    /// A number, a boolean or a date and time: a word up to the next delimiter.
    private mutating func scalar() throws(SyntaxError) -> Value {
        var word = ""
        func isDelimiter(_ scalar: Unicode.Scalar) -> Bool { " \t\r\n,]}#".unicodeScalars.contains(scalar) }
        while let next = peek(), !isDelimiter(next) {
            word.unicodeScalars.append(next)
            advance()
        }
        // A date and a time may be separated by one space.
        if TOMLDateTime.isDate(word), peek() == " ", let digit = peek(1), ("0"..."9").contains(digit) {
            advance()
            word += " "
            while let next = peek(), !isDelimiter(next) {
                word.unicodeScalars.append(next)
                advance()
            }
        }
        if word == "true" { return .boolean(true) }
        if word == "false" { return .boolean(false) }
        if let number = TOMLNumber.integer(word) { return .integer(number) }
        if let number = TOMLNumber.float(word) { return .float(number) }
        if TOMLDateTime.isValid(word) { return .dateTime(word) }
        if TOMLNumber.isWrittenAsInteger(word) { throw error("'\(word)' does not fit in a 64-bit integer") }
        throw error(word.isEmpty ? "a value is missing" : "'\(word)' is not a TOML value (strings need quotes)")
    }

    mutating func basicString() throws(SyntaxError) -> String {
        advance()
        var text = ""
        while let next = peek(), next != "\"" {
            guard next != "\n" else { throw error("a string is not closed on its line") }
            advance()
            if next == "\\" {
                try escape(into: &text)
            } else {
                text.unicodeScalars.append(next)
            }
        }
        guard peek() == "\"" else { throw error("a string is not closed") }
        advance()
        return text
    }

    mutating func literalString() throws(SyntaxError) -> String {
        advance()
        var text = ""
        while let next = peek(), next != "'" {
            guard next != "\n" else { throw error("a string is not closed on its line") }
            text.unicodeScalars.append(next)
            advance()
        }
        guard peek() == "'" else { throw error("a string is not closed") }
        advance()
        return text
    }

    /// `"""…"""` or `'''…'''`: a newline right after the opening quotes is dropped; in a basic one, a backslash at
    /// the end of a line removes the line break and the white space after it. Up to two quotes may end the text.
    private mutating func multiLineString(literal: Bool) throws(SyntaxError) -> String {
        let quote: Unicode.Scalar = literal ? "'" : "\""
        let opening = line
        for _ in 0..<3 { advance() }
        if peek() == "\r" && peek(1) == "\n" { advance() }
        if peek() == "\n" { advance() }
        var text = ""
        while true {
            guard let next = peek() else {
                throw SyntaxError(line: opening, message: "a multi-line string is not closed")
            }
            if next == quote && peek(1) == quote && peek(2) == quote {
                var run = 0
                while peek(run) == quote { run += 1 }
                guard run <= 5 else { throw error("too many quotes at the end of a multi-line string") }
                for _ in 0..<(run - 3) { text.unicodeScalars.append(quote) }
                for _ in 0..<run { advance() }
                return text
            }
            advance()
            guard !literal && next == "\\" else {
                text.unicodeScalars.append(next)
                continue
            }
            var ahead = 0
            while peek(ahead) == " " || peek(ahead) == "\t" || peek(ahead) == "\r" { ahead += 1 }
            if peek(ahead) == "\n" {
                while let blank = peek(), blank == " " || blank == "\t" || blank == "\r" || blank == "\n" { advance() }
            } else {
                try escape(into: &text)
            }
        }
    }

    /// The escape after a backslash.
    private mutating func escape(into text: inout String) throws(SyntaxError) {
        guard let escape = peek() else { throw error("a string is not closed") }
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
            var hex = ""
            for _ in 0..<(escape == "u" ? 4 : 8) {
                guard let digit = peek(), digit.properties.isASCIIHexDigit else { break }
                hex.unicodeScalars.append(digit)
                advance()
            }
            guard hex.count == (escape == "u" ? 4 : 8), let code = UInt32(hex, radix: 16),
                  let scalar = Unicode.Scalar(code)
            else { throw error("'\\\(escape)\(hex)' is not a valid escape") }
            text.unicodeScalars.append(scalar)
        default:
            throw error("'\\\(escape)' is not a valid escape")
        }
    }
}
