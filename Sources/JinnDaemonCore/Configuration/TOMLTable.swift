/// The tree a TOML document builds as it is read, which enforces TOML's rules on defining tables and keys once;
/// ``TOMLDocument`` flattens it into dotted keys at the end.
struct TOMLTable {
    /// How a table came to be, which decides what may add to it later.
    enum Origin {
        /// Named by a `[header]`, or the root.
        case header
        /// Made on the way to a deeper `[a.b]` header; a later `[a]` header may still define it.
        case implicit
        /// Made by a dotted key (`a.b = 1`), which only more dotted keys may extend.
        case dottedKey
    }

    enum Entry {
        case value(TOMLDocument.Value, line: Int)
        case table(TOMLTable)
        case tables([TOMLTable])
    }

    var origin: Origin
    var entries: [String: Entry] = [:]
    var line = 0

    typealias SyntaxError = TOMLDocument.SyntaxError

    /// Defines the table a `[path]` or `[[path]]` header names (and the tables on the way to it).
    mutating func openHeader(_ path: [String], asArray: Bool, line: Int) throws(SyntaxError) {
        let name = path.joined(separator: ".")
        try descend(path.dropLast(), line: line, creating: .implicit) { table throws(SyntaxError) in
            let key = path[path.count - 1]
            switch table.entries[key] {
            case nil:
                table.entries[key] = asArray ? .tables([TOMLTable(origin: .header, line: line)])
                    : .table(TOMLTable(origin: .header, line: line))
            case .tables(var list)? where asArray:
                list.append(TOMLTable(origin: .header, line: line))
                table.entries[key] = .tables(list)
            case .table(var existing)? where !asArray && existing.origin == .implicit:
                existing.origin = .header
                existing.line = line
                table.entries[key] = .table(existing)
            case .tables? where !asArray:
                throw SyntaxError(line: line, message: "[\(name)] is an array of tables; name it as [[\(name)]]")
            default:
                throw SyntaxError(line: line, message: "the table '\(name)' is defined twice")
            }
        }
    }

    /// Sets `key = value` (the key possibly dotted) in the table the header `current` opened.
    mutating func setValue(_ value: TOMLDocument.Value, at key: [String], under current: [String], line: Int)
        throws(SyntaxError)
    {
        let full = (current + key).joined(separator: ".")
        try descend(current[...], line: line, creating: .implicit) { table throws(SyntaxError) in
            try table.descend(key.dropLast(), line: line, creating: .dottedKey) {
                leaf throws(SyntaxError) in
                guard leaf.entries[key[key.count - 1]] == nil else {
                    throw SyntaxError(line: line, message: "the key '\(full)' is defined twice")
                }
                leaf.entries[key[key.count - 1]] = .value(value, line: line)
            }
        }
    }

    /// Runs `body` on the table at `path` below this one, making missing tables of `origin` on the way; an array
    /// of tables on the way stands for its last table.
    private mutating func descend(
        _ path: ArraySlice<String>, line: Int, creating origin: Origin,
        _ body: (inout TOMLTable) throws(SyntaxError) -> Void
    ) throws(SyntaxError) {
        guard let first = path.first else { return try body(&self) }
        let rest = path.dropFirst()
        switch entries[first] {
        case nil:
            var table = TOMLTable(origin: origin, line: line)
            try table.descend(rest, line: line, creating: origin, body)
            entries[first] = .table(table)
        case .table(var table)?:
            if origin == .dottedKey && table.origin != .dottedKey {
                throw SyntaxError(line: line, message: "the table '\(first)' has a [header] of its own; "
                    + "set its keys there")
            }
            entries[first] = nil  // keeps the table uniquely referenced while it changes
            defer { entries[first] = .table(table) }
            try table.descend(rest, line: line, creating: origin, body)
        case .tables(var list)?:
            guard origin != .dottedKey else {
                throw SyntaxError(line: line, message: "'\(first)' is an array of tables, not a table a key can extend")
            }
            entries[first] = nil
            defer { entries[first] = .tables(list) }
            try list[list.count - 1].descend(rest, line: line, creating: origin, body)
        case .value(.table, _)?:
            throw SyntaxError(line: line, message: "the inline table '\(first)' is complete as written; "
                + "add its keys inside its braces")
        case .value?:
            throw SyntaxError(line: line, message: "'\(first)' is a value, not a table")
        }
    }

    /// The table's values by dotted key below `prefix`.
    func flatten(into values: inout [String: TOMLDocument.Value], lines: inout [String: Int], prefix: String) {
        for (key, entry) in entries {
            let full = prefix.isEmpty ? key : prefix + "." + key
            switch entry {
            case .value(.table(let inline), let line):
                // An inline table's keys are the document's keys, as if written with dots.
                for (inner, value) in inline {
                    values[full + "." + inner] = value
                    lines[full + "." + inner] = line
                }
            case .value(let value, let line):
                values[full] = value
                lines[full] = line
            case .table(let table):
                table.flatten(into: &values, lines: &lines, prefix: full)
            case .tables(let list):
                values[full] = .array(list.map { table in
                    var inner: [String: TOMLDocument.Value] = [:]
                    var ignored: [String: Int] = [:]
                    table.flatten(into: &inner, lines: &ignored, prefix: "")
                    return .table(inner)
                })
                lines[full] = list.first?.line
            }
        }
    }
}
