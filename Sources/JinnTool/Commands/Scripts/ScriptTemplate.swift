import Foundation

/// The text `jinn new` writes: the default template, or `script.py` of a template directory, with its
/// `{{name}}`, `{{file}}` and `{{date}}` placeholders filled in.
struct ScriptTemplate {
    /// The template's text.
    var text: String
    /// Where it came from, for messages.
    var source: String

    /// The placeholders a template may use.
    static let placeholders = ["name", "file", "date"]

    /// The file of a template directory.
    static let fileName = "script.py"

    static let standard = ScriptTemplate(text: """
        #!/usr/bin/env jinn
        # /// script
        # requires-python = ">=3.9"
        # dependencies = []
        # ///
        \"\"\"{{name}}: say what this script does.\"\"\"

        import argparse


        def main() -> int:
            parser = argparse.ArgumentParser(prog="{{file}}", description=__doc__)
            parser.add_argument("names", nargs="*", help="what to work on")
            parser.add_argument("-v", "--verbose", action="store_true", help="say more")
            args = parser.parse_args()
            for name in args.names:
                print(name)
            return 0


        if __name__ == "__main__":
            raise SystemExit(main())

        """, source: "the default template")

    /// The template of `directory` (its `script.py`).
    static func load(directory: String) throws(ScriptTemplateError) -> ScriptTemplate {
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScriptTemplateError("the template directory \(directory) has no readable \(fileName)")
        }
        return ScriptTemplate(text: String(decoding: data, as: UTF8.self), source: path)
    }

    /// The text with every placeholder replaced.
    ///
    /// - Throws: ``ScriptTemplateError`` naming an unknown placeholder and its line.
    func render(name: String, file: String, date: String) throws(ScriptTemplateError) -> String {
        let values = ["name": name, "file": file, "date": date]
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                result += rest[open.lowerBound...]
                rest = ""
                break
            }
            let key = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard let value = values[key] else {
                let line = text[..<open.lowerBound].filter { $0 == "\n" }.count + 1
                throw ScriptTemplateError("\(source), line \(line): unknown placeholder {{\(key)}}; the placeholders "
                    + "are " + Self.placeholders.map { "{{\($0)}}" }.joined(separator: ", "))
            }
            result += value
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    /// A Python identifier made of a file name: `my-tool 2.py` gives `my_tool_2`, `2fast.py` gives `_2fast`, a
    /// keyword gets a trailing `_`.
    static func identifier(forFile file: String) -> String {
        var stem = (file as NSString).lastPathComponent
        if let dot = stem.lastIndex(of: "."), dot != stem.startIndex { stem = String(stem[..<dot]) }
        var name = String(stem.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        while name.contains("__") { name = name.replacingOccurrences(of: "__", with: "_") }
        if name.count > 1 { name = String(name.trimmingCharacters(in: CharacterSet(charactersIn: "_"))) }
        if name.isEmpty || name == "_" { return "script" }
        if name.first!.isNumber { name = "_" + name }
        if keywords.contains(name) { name += "_" }
        return name
    }

    private static let keywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
        "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ]
}

/// A template that cannot be used, or a script that cannot be written.
struct ScriptTemplateError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
