import Foundation

/// The tool that creates environments and installs packages into them.
public enum InstallerKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// uv: `uv venv` and `uv pip install`.
    case uv
    /// The standard library's `venv` and pip.
    case pip
}

/// Which installer to use.
public enum InstallerChoice: String, Sendable, Hashable, Codable, CaseIterable {
    /// uv when it is on `PATH` or in Jinn's cache, or can be installed there with pip; otherwise venv and pip.
    case automatic = "auto"
    /// uv, installed into Jinn's cache when it is not on `PATH`; an error when that fails.
    case uv
    /// The standard library's `venv` and pip.
    case pip
}

/// Creates environments and installs into them by running an installer.
protocol Installer: Sendable {
    var kind: InstallerKind { get }
    /// How the installer is named in messages and lock files, such as `uv 0.13.9` or `pip`.
    var name: String { get }
    /// Creates an environment at `path` (which does not exist).
    func createEnvironment(at path: String, base: PythonInterpreter, options: EnvironmentOptions)
        async throws(JinnError)
    /// Installs into the environment whose interpreter is `python`.
    func install(_ request: InstallRequest, python: String, progress: InstallProgressHandler?)
        async throws(JinnError)
    /// The hashes of every distribution the index holds for each `name==version` pin, keyed by normalized name;
    /// empty when the installer cannot tell without downloading.
    func indexHashes(for pins: [String], python: String, index: InstallRequest) async throws(JinnError)
        -> [String: [String]]
}

/// Finds or prepares the installer a choice asks for.
enum Installers {
    static func resolve(_ choice: InstallerChoice, base: PythonInterpreter, cacheDirectory: String?,
                        progress: InstallProgressHandler?) async throws(JinnError) -> any Installer
    {
        switch choice {
        case .pip:
            return PipInstaller()
        case .uv:
            return try await UVInstaller(executable: UVTool.locateOrInstall(
                using: base, cacheDirectory: cacheDirectory, progress: progress))
        case .automatic:
            do {
                return try await UVInstaller(executable: UVTool.locateOrInstall(
                    using: base, cacheDirectory: cacheDirectory, progress: progress))
            } catch {
                progress?(InstallProgress(.preparingInstaller, detail: "uv is not available (\(error)); using pip"))
                return PipInstaller()
            }
        }
    }

    /// Runs an installer command and turns a failure into an error that names the package and quotes the tool.
    static func runInstall(_ executable: String, _ arguments: [String], kind: InstallerKind, name: String,
                           request: InstallRequest, progress: InstallProgressHandler?) async throws(JinnError)
    {
        let parser = ParserBox(InstallOutputParser(installer: kind))
        let result = try await ToolRun.run(executable, arguments) { line in
            for event in parser.events(for: line) { progress?(event) }
        }
        guard result.termination.isSuccess else {
            throw .environment(failure(result, request: request, installer: name))
        }
    }

    /// The installer's own error message, and the requested package it names.
    static func failure(_ result: ToolRun.Result, request: InstallRequest, installer: String) -> EnvironmentError {
        let lines = result.errors + result.output
        // pip starts its error lines with "ERROR:", uv its report with "error:" (then "cause:" and "hint:" lines).
        let message: String
        if let start = result.errors.firstIndex(where: { $0.lowercased().hasPrefix("error") || $0.hasPrefix("×") }) {
            // pip reports a network failure only in its retry warnings; the error itself says "from versions: none".
            let retry = result.errors[..<start].last { $0.hasPrefix("WARNING: Retrying") }
            message = ((retry.map { [$0] } ?? []) + result.errors[start...].prefix(30)).joined(separator: "\n")
        } else {
            message = result.tail.isEmpty ? "it \(result.termination) without a message" : result.tail
        }
        let requested = request.requirements.map(RequirementName.of)
            + request.requirementFiles.map { "-r " + $0 }
        let loweredMessage = RequirementName.normalized(message)
        let culprit = request.requirements.first { requirement in
            let normalized = RequirementName.normalized(RequirementName.of(requirement))
            return !normalized.isEmpty && Self.mentions(loweredMessage, normalized)
        } ?? Self.packageNamed(in: lines)
        return .installFailed(package: culprit, requested: requested, installer: installer, message: message)
    }

    /// Whether `text` contains `word` not as part of a longer name.
    private static func mentions(_ text: String, _ word: String) -> Bool {
        var searchRange = text.startIndex..<text.endIndex
        while let found = text.range(of: word, range: searchRange) {
            let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
            let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
            let isNameCharacter = { (c: Character?) in c.map { $0.isLetter || $0.isNumber || $0 == "-" } ?? false }
            if !isNameCharacter(before) && !isNameCharacter(after) { return true }
            searchRange = found.upperBound..<text.endIndex
        }
        return false
    }

    /// The package an installer's message names, for requirements that came from a file: pip's "No matching
    /// distribution found for X", uv's "Because X was not found", "Failed to download `X`", "Hash mismatch for `X`".
    private static func packageNamed(in lines: [String]) -> String? {
        for line in lines {
            if let range = line.range(of: "No matching distribution found for ") {
                return RequirementName.of(String(line[range.upperBound...]))
            }
            if let range = line.range(of: "Because "), line.contains("was not found in the package registry") {
                return RequirementName.of(String(line[range.upperBound...]))
            }
            // uv on a requirements file whose distribution does not match its hashes, or cannot be fetched.
            for prefix in ["Hash mismatch for `", "Failed to download `"] {
                if let range = line.range(of: prefix) {
                    return RequirementName.of(String(line[range.upperBound...].prefix { $0 != "`" }))
                }
            }
        }
        return nil
    }
}

/// A parser shared with the tool's output callback, which is called from one reading thread per stream.
final class ParserBox: @unchecked Sendable {
    private let lock = NSLock()
    private var parser: InstallOutputParser

    init(_ parser: InstallOutputParser) {
        self.parser = parser
    }

    func events(for line: String) -> [InstallProgress] {
        lock.lock()
        defer { lock.unlock() }
        return parser.events(for: line)
    }
}
