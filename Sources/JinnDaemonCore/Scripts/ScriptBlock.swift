/// A script's inline metadata: the `# /// script` block that PEP 723 defines, found exactly as the specification's
/// reference expression finds it (`(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$`): an
/// opening line, comment lines that are `#` alone or start with `# `, and the last `# ///` line of that run of
/// comments. Lines may end in `\r\n`, as Python's text mode reads them.
///
/// ```swift
/// let source = Array("# /// script\n# dependencies = [\"six\"]\n# ///\nimport six\n".utf8)
/// let block = try ScriptBlock.find(in: source)
/// print(String(decoding: block!.content, as: UTF8.self))   // dependencies = ["six"]
/// print(block!.openingLine)                                // 1
/// ```
package struct ScriptBlock: Sendable, Equatable {
    /// The TOML text: the block's lines without their leading `# ` (or `#`), each ending in a newline.
    package var content: [UInt8]
    /// The line of the opening `# /// script`, from 1; the content's first line is the next one.
    package var openingLine: Int

    /// A block that is not well formed, with the line it concerns (from 1).
    package struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        package var line: Int
        package var message: String
        package var description: String { "line \(line): \(message)" }

        package init(line: Int, message: String) {
            self.line = line
            self.message = message
        }
    }

    /// Whether a script may hold a block: a cheap test for the client, which reads the script anyway.
    package static func mayHoldBlock(_ source: [UInt8]) -> Bool {
        let marker = Array("# /// script".utf8)
        guard source.count >= marker.count else { return false }
        var index = 0
        while index + marker.count <= source.count {
            if (index == 0 || source[index - 1] == UInt8(ascii: "\n")) && source[index] == UInt8(ascii: "#")
                && source[index..<index + marker.count].elementsEqual(marker)
            {
                return true
            }
            guard let next = source[index...].firstIndex(of: UInt8(ascii: "\n")) else { return false }
            index = next + 1
        }
        return false
    }

    /// The `script` block of `source`, or nil when it has none.
    ///
    /// - Throws: ``Problem`` when there are two `script` blocks, or an opening line has no closing line.
    package static func find(in source: [UInt8]) throws(Problem) -> ScriptBlock? {
        let lines = Self.lines(source)
        var found: ScriptBlock?
        var index = 0
        while index < lines.count {
            guard let type = openingType(lines[index].text), lines[index].terminated else {
                index += 1
                continue
            }
            var closing: Int?
            var next = index + 1
            while next < lines.count, isComment(lines[next].text) {
                if next >= index + 2 && lines[next].text.elementsEqual("# ///".utf8) { closing = next }
                guard lines[next].terminated else { break }
                next += 1
            }
            guard let closing else {
                if type == "script" {
                    throw Problem(line: index + 1, message: "the `# /// script` block has no closing `# ///` line "
                        + "(every line up to it, empty ones included, must start with `#`)")
                }
                index += 1
                continue
            }
            if type == "script" {
                if found != nil {
                    throw Problem(line: index + 1, message: "a second `# /// script` block; a script has at most one")
                }
                var content: [UInt8] = []
                for line in lines[(index + 1)..<closing] {
                    content += line.text.dropFirst(line.text.starts(with: "# ".utf8) ? 2 : 1)
                    content.append(UInt8(ascii: "\n"))
                }
                found = ScriptBlock(content: content, openingLine: index + 1)
            }
            index = closing + 1
        }
        return found
    }

    private struct Line {
        var text: ArraySlice<UInt8>
        var terminated: Bool
    }

    private static func lines(_ source: [UInt8]) -> [Line] {
        var result: [Line] = []
        var start = 0
        while start < source.count {
            let end = source[start...].firstIndex(of: UInt8(ascii: "\n"))
            var text = source[start..<(end ?? source.count)]
            if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
            result.append(Line(text: text, terminated: end != nil))
            start = (end ?? source.count) + 1
        }
        return result
    }

    /// `TYPE` of a line `# /// TYPE`.
    private static func openingType(_ line: ArraySlice<UInt8>) -> String? {
        let prefix = "# /// ".utf8
        guard line.starts(with: prefix) else { return nil }
        let type = line.dropFirst(prefix.count)
        guard !type.isEmpty, type.allSatisfy({ byte in
            byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
        }) else { return nil }
        return String(decoding: type, as: UTF8.self)
    }

    private static func isComment(_ line: ArraySlice<UInt8>) -> Bool {
        line.elementsEqual("#".utf8) || line.starts(with: "# ".utf8)
    }
}
