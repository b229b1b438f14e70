import Foundation

/// One step of creating an environment or installing packages, as structured data.
///
/// Events come in order from the installer's own output. `package`, `completed` and `total` are set when the
/// installer tells them: pip names each package as it collects it and gives the total only when it starts
/// installing; uv gives the total once it has resolved.
///
/// ```swift
/// try await environment.install(InstallRequest(["six"])) { event in
///     print(event.phase, event.package ?? "", event.completed ?? 0, "/", event.total ?? 0)
/// }
/// ```
public struct InstallProgress: Sendable, Hashable, CustomStringConvertible {
    /// What is happening.
    public enum Phase: String, Sendable, Hashable, Codable {
        /// Another process holds the environment's lock; this one waits for it.
        case waiting
        /// Jinn is installing the installer (uv) into its cache.
        case preparingInstaller
        /// The environment's directory and interpreter are being created.
        case creating
        /// Requirements are being collected and resolved.
        case resolving
        /// A distribution is being downloaded (or taken from a cache).
        case downloading
        /// A distribution is being built from source.
        case building
        /// Distributions are being installed.
        case installing
        /// One package was installed.
        case installed
        /// Installed packages are being compared with a lock.
        case verifying
        /// The work is complete.
        case finished
    }

    /// What is happening.
    public var phase: Phase
    /// The package concerned, when there is one.
    public var package: String?
    /// How many of `total` are done, when known.
    public var completed: Int?
    /// How many there are in all, when known.
    public var total: Int?
    /// The installer's own line, or Jinn's description of the step.
    public var detail: String

    /// Creates an event.
    public init(_ phase: Phase, package: String? = nil, completed: Int? = nil, total: Int? = nil, detail: String) {
        self.phase = phase
        self.package = package
        self.completed = completed
        self.total = total
        self.detail = detail
    }

    /// `installing six (1/2)`.
    public var description: String {
        var text = phase.rawValue
        if let package { text += " " + package }
        if let completed, let total { text += " (\(completed)/\(total))" }
        else if let completed { text += " (\(completed))" }
        return text
    }
}

/// Receives progress events; it may be called from any thread, one event at a time.
public typealias InstallProgressHandler = @Sendable (InstallProgress) -> Void

/// Turns an installer's lines into ``InstallProgress`` events.
struct InstallOutputParser {
    let installer: InstallerKind
    private var collected = 0
    private var installed = 0
    private var total: Int?

    init(installer: InstallerKind) {
        self.installer = installer
    }

    mutating func events(for rawLine: String) -> [InstallProgress] {
        let line = rawLine.trimmingCharacters(in: .whitespaces)
        guard !line.isEmpty else { return [] }
        switch installer {
        case .pip: return pipEvents(line)
        case .uv: return uvEvents(line)
        }
    }

    private mutating func pipEvents(_ line: String) -> [InstallProgress] {
        if let rest = line.dropPrefix("Collecting ") ?? line.dropPrefix("Processing ") {
            collected += 1
            let name = RequirementName.of(String(rest.split(separator: " ").first ?? Substring(rest)))
            return [InstallProgress(.resolving, package: name, completed: collected, detail: line)]
        }
        if let rest = line.dropPrefix("Requirement already satisfied: ") {
            collected += 1
            let name = String(rest.split(separator: " ").first ?? "")
            return [InstallProgress(.resolving, package: RequirementName.of(name), completed: collected,
                                    detail: line)]
        }
        if let rest = line.dropPrefix("Downloading ") ?? line.dropPrefix("Using cached ") {
            return [InstallProgress(.downloading, package: Self.distributionName(fromFile: rest), detail: line)]
        }
        if let rest = line.dropPrefix("Building wheel for ") {
            return [InstallProgress(.building, package: String(rest.split(separator: " ").first ?? ""),
                                    detail: line)]
        }
        if let rest = line.dropPrefix("Installing collected packages: ") {
            let names = rest.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            total = names.count
            return [InstallProgress(.installing, completed: 0, total: names.count, detail: line)]
        }
        if let rest = line.dropPrefix("Successfully installed ") {
            let names = rest.split(separator: " ").map { Self.distributionName(fromFile: String($0)) }
            let count = total ?? names.count
            var events: [InstallProgress] = []
            for name in names {
                installed += 1
                events.append(InstallProgress(.installed, package: name, completed: installed, total: count,
                                              detail: line))
            }
            return events
        }
        return []
    }

    private mutating func uvEvents(_ line: String) -> [InstallProgress] {
        let words = line.split(separator: " ")
        func count() -> Int? { words.count > 1 ? Int(words[1]) : nil }
        if line.hasPrefix("Resolved "), let count = count() {
            return [InstallProgress(.resolving, completed: count, total: count, detail: line)]
        }
        if line.hasPrefix("Prepared "), let count = count() {
            return [InstallProgress(.downloading, completed: count, total: count, detail: line)]
        }
        if line.hasPrefix("Installed "), let count = count() {
            total = count
            return [InstallProgress(.installing, completed: 0, total: count, detail: line)]
        }
        if let rest = line.dropPrefix("Downloading ") ?? line.dropPrefix("Downloaded ") {
            return [InstallProgress(.downloading, package: String(rest.split(separator: " ").first ?? ""),
                                    detail: line)]
        }
        if let rest = line.dropPrefix("Building ") ?? line.dropPrefix("Built ") {
            return [InstallProgress(.building, package: RequirementName.of(rest), detail: line)]
        }
        if let rest = line.dropPrefix("+ ") {
            installed += 1
            return [InstallProgress(.installed, package: RequirementName.of(rest), completed: installed,
                                    total: total, detail: line)]
        }
        return []
    }

    /// `six` from `six-1.17.0-py2.py3-none-any.whl (11 kB)` or `six-1.17.0`.
    static func distributionName(fromFile file: String) -> String {
        let base = String(file.split(separator: " ").first ?? "").split(separator: "/").last.map(String.init) ?? ""
        var parts: [Substring] = []
        for part in base.split(separator: "-") {
            if let first = part.first, first.isNumber, !parts.isEmpty { break }
            parts.append(part)
        }
        return parts.joined(separator: "-")
    }
}

extension String {
    /// The rest of the string after `prefix`, or nil when it does not start with it.
    func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
