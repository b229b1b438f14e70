import Foundation
import JinnSystem

/// Finds an interpreter whose version satisfies a script's `requires-python`: the preferred one (the configured
/// interpreter, or `python3` on `PATH`) when it does, else the newest that does among `python3.N` on `PATH`,
/// pyenv's versions (`$PYENV_ROOT/versions`, `~/.pyenv/versions`) and uv's managed Pythons
/// (`$UV_PYTHON_INSTALL_DIR`, `~/.local/share/uv/python`).
///
/// ```swift
/// let python = try await InterpreterDiscovery.interpreter(matching: try VersionSpecifier(">=3.12"))
/// print(python.executable)   // /root/.pyenv/versions/3.13.1/bin/python3.13
/// ```
public enum InterpreterDiscovery {
    /// An interpreter that was looked at, with the version its location or inspection gave.
    struct Candidate {
        var path: String
        var version: PackageVersion?
    }

    /// The interpreter for `specifier`.
    ///
    /// - Parameters:
    ///   - preferred: the interpreter to use when it satisfies the specifier (default: `python3` on `PATH`).
    ///   - environment: where `PATH`, `HOME`, `PYENV_ROOT` and `UV_PYTHON_INSTALL_DIR` come from.
    /// - Throws: ``EnvironmentError/noMatchingInterpreter(requirement:found:)`` listing every interpreter found.
    public static func interpreter(matching specifier: VersionSpecifier, preferred: String? = nil,
                                   environment: [String: String] = ProcessInfo.processInfo.environment)
        async throws(JinnError) -> PythonInterpreter
    {
        var seen: [String] = []
        if let preferred = preferred ?? ExecutableSearch.find(["python3", "python"], in: environment["PATH"]),
           let python = try? await PythonInterpreter(path: preferred)
        {
            if accepts(specifier, python) { return python }
            seen.append("\(python.version) (\(python.executable))")
        }
        let candidates = self.candidates(environment: environment)
            .sorted { ($0.version.map { [$0] } ?? []).lexicographicallyPrecedes($1.version.map { [$0] } ?? []) }
            .reversed()
        for candidate in candidates {
            // A version read from a name that does not match is not worth running the interpreter for.
            if let version = candidate.version, !specifier.contains(version) {
                seen.append("\(version) (\(candidate.path))")
                continue
            }
            guard let python = try? await PythonInterpreter(path: candidate.path) else { continue }
            if accepts(specifier, python) { return python }
            seen.append("\(python.version) (\(python.executable))")
        }
        // Newest first, as versions order (3.10 after 3.9).
        let found = Array(Set(seen)).sorted { a, b in
            let (x, y) = (try? PackageVersion(String(a.prefix { $0 != " " })), try? PackageVersion(String(b.prefix { $0 != " " })))
            if let x, let y, x != y { return x > y }
            return a < b
        }
        throw .environment(.noMatchingInterpreter(requirement: specifier.description, found: found))
    }

    /// Whether Jinn can use `python` for `specifier`: the version matches, and is one Jinn supports.
    static func accepts(_ specifier: VersionSpecifier, _ python: PythonInterpreter) -> Bool {
        guard python.version >= PythonVersion.minimumSupported,
              let version = try? PackageVersion("\(python.version.major).\(python.version.minor).\(python.version.micro)")
        else { return false }
        return specifier.contains(version)
    }

    /// The interpreters on `PATH` named `python3.N`, pyenv's and uv's, with the versions their names give.
    static func candidates(environment: [String: String]) -> [Candidate] {
        var found: [Candidate] = []
        var paths = Set<String>()
        func add(_ path: String, _ version: String?) {
            guard ExecutableSearch.isExecutableFile(path), paths.insert(path).inserted else { return }
            found.append(Candidate(path: path, version: version.flatMap { try? PackageVersion($0) }))
        }
        let manager = FileManager.default
        for directory in ExecutableSearch.directories(in: environment["PATH"] ?? ExecutableSearch.defaultSearchPath)
        where !directory.contains("/.pyenv/shims") {
            for name in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix("python3.") {
                let minor = name.dropFirst("python3.".count)
                guard !minor.isEmpty, minor.allSatisfy(\.isNumber) else { continue }
                // The name gives no micro version: the interpreter is inspected when its minor version could do.
                add(directory + "/" + name, nil)
            }
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let pyenv = (environment["PYENV_ROOT"].map { $0 + "/versions" }) ?? home + "/.pyenv/versions"
        for name in (try? manager.contentsOfDirectory(atPath: pyenv)) ?? [] {
            add(pyenv + "/" + name + "/bin/python3", name)
        }
        let uv = environment["UV_PYTHON_INSTALL_DIR"] ?? home + "/.local/share/uv/python"
        for name in (try? manager.contentsOfDirectory(atPath: uv)) ?? [] {
            // cpython-3.12.4-linux-x86_64-gnu
            let parts = name.split(separator: "-")
            guard parts.count > 1, parts[0] == "cpython" else { continue }
            add(uv + "/" + name + "/bin/python3", String(parts[1]))
        }
        return found
    }
}
