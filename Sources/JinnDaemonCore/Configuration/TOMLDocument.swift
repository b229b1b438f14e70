/// A TOML 1.0 document: Jinn's configuration file and the `# /// script` blocks of PEP 723 scripts, which may hold
/// any TOML that other tools read (`[tool.uv]` with inline tables, arrays of tables, dates).
///
/// Values are kept by their full dotted key (`table.key` for a key under a `[table]` header, `a.b` for
/// `a = { b = 1 }`), with the line each was set on. An array of tables (`[[tool.uv.index]]`) is one value at its
/// key: an array of ``Value/table(_:)``, each table's values again by their dotted keys within it.
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
        /// An offset or local date-time, a local date or a local time, as written.
        case dateTime(String)
        case array([Value])
        /// One table of an array of tables: its values by their dotted keys within it.
        case table([String: Value])

        /// The TOML type name, for error messages.
        package var typeName: String {
            switch self {
            case .string: "a string"
            case .integer: "an integer"
            case .float: "a float"
            case .boolean: "a boolean"
            case .dateTime: "a date or time"
            case .array: "an array"
            case .table: "a table"
            }
        }

        package var description: String {
            switch self {
            case .string(let text): "\"\(text)\""
            case .integer(let number): String(number)
            case .float(let number): String(number)
            case .boolean(let flag): String(flag)
            case .dateTime(let text): text
            case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
            case .table(let values):
                "{" + values.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", ") + "}"
            }
        }
    }

    /// Values by dotted key (see the type's documentation), and the line each was set on.
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
        var parser = TOMLParser(scalars: Array(text.unicodeScalars))
        var root = TOMLTable(origin: .header)
        var current: [String] = []
        while true {
            parser.skipBlankLinesAndComments()
            guard let next = parser.peek() else { break }
            let line = parser.line
            if next == "[" {
                parser.advance()
                let isArray = parser.peek() == "["
                if isArray { parser.advance() }
                let path = try parser.key()
                parser.skipSpaces()
                guard parser.peek() == "]", !isArray || parser.peek(1) == "]" else {
                    throw parser.error("expected '\(isArray ? "]]" : "]")' after the table name")
                }
                parser.advance()
                if isArray { parser.advance() }
                try parser.endOfLine()
                try root.openHeader(path, asArray: isArray, line: line)
                current = path
                continue
            }
            let path = try parser.key()
            parser.skipSpaces()
            guard parser.peek() == "=" else {
                throw parser.error("expected '=' after the key '\(path.joined(separator: "."))'")
            }
            parser.advance()
            parser.skipSpaces()
            let value = try parser.value()
            try parser.endOfLine()
            try root.setValue(value, at: path, under: current, line: line)
        }
        root.flatten(into: &values, lines: &lines, prefix: "")
    }
}
