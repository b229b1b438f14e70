/// Package names as they appear in requirements and as the package index compares them.
enum RequirementName {
    /// The project name at the start of a requirement: `six` in `six>=1.16; python_version>"3"`, `foo` in
    /// `foo[bar] @ https://…`. A local path is returned as it is.
    static func of(_ requirement: String) -> String {
        let text = requirement.trimmingPrefix(while: { $0 == " " })
        if text.hasPrefix(".") || text.hasPrefix("/") || text.hasPrefix("~") { return String(text) }
        let name = text.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
        return name.isEmpty ? String(text) : String(name)
    }

    /// The normalized form (PEP 503): lower case, runs of `-`, `_` and `.` made one `-`.
    static func normalized(_ name: String) -> String {
        var result = ""
        var pendingSeparator = false
        for character in name.lowercased() {
            if character == "-" || character == "_" || character == "." {
                pendingSeparator = true
            } else {
                if pendingSeparator && !result.isEmpty { result.append("-") }
                pendingSeparator = false
                result.append(character)
            }
        }
        return result
    }
}
