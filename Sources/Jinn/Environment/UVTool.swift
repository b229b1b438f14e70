import Foundation
import JinnSystem

/// Finds uv, or installs a pinned version of it into Jinn's cache with pip.
///
/// uv is found on `PATH` first. Otherwise Jinn installs `uv==pinnedVersion` from the package index with
/// `python -m pip install --target <cache>/tools/uv-<version>`, once per cache; concurrent installs wait for
/// each other and a failed one leaves nothing behind.
public enum UVTool {
    /// The uv version Jinn installs into its cache.
    public static let pinnedVersion = "0.13.9"

    /// The uv on `PATH`, or the one in the cache, or nil.
    public static func locate(cacheDirectory: String? = nil, searchPath: String? = nil) -> String? {
        if let onPath = ExecutableSearch.find("uv", in: searchPath) { return onPath }
        let cached = cachedExecutable(cacheDirectory: cacheDirectory ?? JinnPaths.cacheDirectory())
        return ExecutableSearch.isExecutableFile(cached) ? cached : nil
    }

    /// Where the pinned uv lives in a cache.
    public static func cachedExecutable(cacheDirectory: String, version: String = pinnedVersion) -> String {
        installDirectory(cacheDirectory: cacheDirectory, version: version) + "/bin/uv"
    }

    /// uv on `PATH` or in the cache; otherwise installs it there with the pip of `python` (or of `python3` on
    /// `PATH` when `python` has no pip) and returns its path.
    public static func locateOrInstall(using python: PythonInterpreter, cacheDirectory: String? = nil,
                                       searchPath: String? = nil, progress: InstallProgressHandler? = nil)
        async throws(JinnError) -> String
    {
        if let found = locate(cacheDirectory: cacheDirectory, searchPath: searchPath) { return found }
        return try await install(using: python, cacheDirectory: cacheDirectory ?? JinnPaths.cacheDirectory(),
                                 progress: progress)
    }

    /// Installs uv `version` into the cache (if it is not there yet) and returns its path.
    public static func install(using python: PythonInterpreter, cacheDirectory: String,
                               version: String = pinnedVersion, progress: InstallProgressHandler? = nil)
        async throws(JinnError) -> String
    {
        let target = installDirectory(cacheDirectory: cacheDirectory, version: version)
        let executable = target + "/bin/uv"
        if ExecutableSearch.isExecutableFile(executable) { return executable }
        progress?(InstallProgress(.preparingInstaller, package: "uv",
                                  detail: "installing uv \(version) into \(cacheDirectory)"))
        var pythons = [python.executable]
        if let system = try? await PythonInterpreter.system(), system.executable != python.executable {
            pythons.append(system.executable)
        }
        let lock = try await StagedDirectory.lock(target, timeout: nil) {
            progress?(InstallProgress(.waiting, package: "uv", detail: "waiting for another process installing uv"))
        }
        defer { lock.release() }
        if ExecutableSearch.isExecutableFile(executable) { return executable }
        try await StagedDirectory.build(target) { staging throws(JinnError) in
            var failure = ""
            for candidate in pythons {
                let result = try await ToolRun.run(candidate, [
                    "-m", "pip", "install", "--no-input", "--disable-pip-version-check", "--progress-bar", "off",
                    "--no-warn-script-location", "--target", staging, "uv==\(version)",
                ])
                if result.termination.isSuccess, ExecutableSearch.isExecutableFile(staging + "/bin/uv") { return }
                failure += "\(candidate) -m pip: \(result.tail)\n"
                try? FileManager.default.removeItem(atPath: staging)
            }
            throw .environment(.toolInstallFailed(tool: "uv", version: version, message: failure))
        }
        return executable
    }

    private static func installDirectory(cacheDirectory: String, version: String) -> String {
        cacheDirectory + "/tools/uv-\(version)"
    }

    /// The version uv reports (`0.13.9` from `uv 0.13.9 (…)`), or nil when it does not run.
    static func version(of executable: String) async -> String? {
        guard let result = try? await ToolRun.run(executable, ["--version"]), result.termination.isSuccess else {
            return nil
        }
        return result.output.first?.split(separator: " ").dropFirst().first.map(String.init)
    }
}
