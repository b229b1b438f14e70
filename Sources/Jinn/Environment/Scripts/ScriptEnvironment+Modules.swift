import Foundation

extension ScriptEnvironment {
    /// The top-level modules of the distributions the environment was made for (not of what they pulled in),
    /// as their installed metadata names them: `top_level.txt`, else the modules and packages of `RECORD`.
    /// Public names only, sorted. A zygote of the environment may import these ahead of its runs, since its runs
    /// asked for them by name.
    ///
    /// ```swift
    /// ScriptEnvironment.read(at: path)?.dependencyModules()   // ["six"] for dependencies = ["six"]
    /// ```
    public func dependencyModules() -> [String] {
        let wanted = Set(requirements.compactMap { try? PackageRequirement($0).normalizedName })
        guard !wanted.isEmpty else { return [] }
        let files = FileManager.default
        var modules = Set<String>()
        let lib = path + "/lib"
        for version in (try? files.contentsOfDirectory(atPath: lib)) ?? [] where version.hasPrefix("python") {
            let sitePackages = lib + "/" + version + "/site-packages"
            for entry in (try? files.contentsOfDirectory(atPath: sitePackages)) ?? [] where entry.hasSuffix(".dist-info") {
                let distribution = String(entry.prefix { $0 != "-" })
                guard wanted.contains(RequirementName.normalized(distribution)) else { continue }
                modules.formUnion(Self.topLevelModules(of: sitePackages + "/" + entry))
            }
        }
        return modules.filter(Self.isPublicModuleName).sorted()
    }

    private static func topLevelModules(of distInfo: String) -> [String] {
        if let text = try? String(contentsOfFile: distInfo + "/top_level.txt", encoding: .utf8) {
            return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        guard let record = try? String(contentsOfFile: distInfo + "/RECORD", encoding: .utf8) else { return [] }
        var names: [String] = []
        for line in record.split(whereSeparator: \.isNewline) {
            let file = line.prefix { $0 != "," }
            let parts = file.split(separator: "/", maxSplits: 1)
            if parts.count == 2, parts[1] == "__init__.py" {
                names.append(String(parts[0]))
            } else if parts.count == 1, file.hasSuffix(".py") {
                names.append(String(file.dropLast(3)))
            }
        }
        return names
    }

    private static func isPublicModuleName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != "_", !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0)
            || ("0"..."9").contains($0) }
    }
}
