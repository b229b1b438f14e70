import Foundation
import JinnSystem

/// Creates conda environments and installs conda packages with `micromamba` or `conda` found on `PATH`.
///
/// ```swift
/// let conda = try CondaBackend.find()               // micromamba first, then conda
/// try await conda.create(at: "/srv/envs/geo", packages: ["python=3.11", "gdal"])
/// try await conda.install(["shapely"], into: "/srv/envs/geo")
/// ```
///
/// conda writes the environment's own path into the files it installs, so a conda environment cannot be built
/// elsewhere and moved: it is built in place, under the same lock as virtual environments, and removed again
/// when the tool fails.
public struct CondaBackend: Sendable, Hashable {
    /// Which program runs.
    public enum Flavor: String, Sendable, Hashable, Codable, CaseIterable {
        /// `micromamba`, a single executable without a base environment.
        case micromamba
        /// `conda`.
        case conda
    }

    /// The program's path.
    public var executable: String
    /// Which program it is.
    public var flavor: Flavor

    /// A backend running `executable`.
    public init(executable: String, flavor: Flavor) {
        self.executable = executable
        self.flavor = flavor
    }

    /// The first of `micromamba` and `conda` (or only `flavor`) on the search path.
    public static func find(_ flavor: Flavor? = nil, searchPath: String? = nil) throws(JinnError) -> CondaBackend {
        let flavors = flavor.map { [$0] } ?? Flavor.allCases
        for candidate in flavors {
            if let path = ExecutableSearch.find(candidate.rawValue, in: searchPath) {
                return CondaBackend(executable: path, flavor: candidate)
            }
        }
        let names = flavors.map(\.rawValue).joined(separator: " or ")
        throw .environment(.toolNotFound(
            tool: names,
            hint: "no \(names) executable is on PATH; install micromamba or conda and put it on PATH, "
                + "or use a virtual environment (VirtualEnvironment.create; jinn env create without --conda)"))
    }

    /// The arguments that create an environment at `prefix` with `packages`.
    public func creationArguments(prefix: String, packages: [String], channels: [String] = []) -> [String] {
        ["create", "--yes", "--prefix", prefix] + channelArguments(channels) + packages
    }

    /// The arguments that install `packages` into the environment at `prefix`.
    public func installationArguments(prefix: String, packages: [String], channels: [String] = []) -> [String] {
        ["install", "--yes", "--prefix", prefix] + channelArguments(channels) + packages
    }

    private func channelArguments(_ channels: [String]) -> [String] {
        // micromamba has no default channel; conda has its configured ones.
        let effective = channels.isEmpty && flavor == .micromamba ? ["conda-forge"] : channels
        return effective.flatMap { ["--channel", $0] }
    }

    /// Creates a conda environment at `path`, or reuses the environment already there.
    public func create(at path: String, packages: [String], channels: [String] = [],
                       progress: InstallProgressHandler? = nil) async throws(JinnError) -> EnvironmentCreation
    {
        let target = VirtualEnvironment.absolute(path)
        let lock = try await StagedDirectory.lock(target, timeout: nil) {
            progress?(InstallProgress(.waiting, detail: "another process is creating or changing \(target); waiting"))
        }
        defer { lock.release() }
        if let existing = try VirtualEnvironment.existingEnvironment(at: target) {
            if !packages.isEmpty { try await run(installationArguments(prefix: target, packages: packages,
                                                                        channels: channels), packages, progress) }
            return EnvironmentCreation(environment: existing, reused: true, installer: flavor.rawValue)
        }
        progress?(InstallProgress(.creating, detail: "creating \(target) with \(flavor.rawValue)"))
        do {
            try await run(creationArguments(prefix: target, packages: packages, channels: channels), packages, progress)
        } catch {
            try? FileManager.default.removeItem(atPath: target)
            throw error
        }
        PythonInterpreter.forgetInspections(under: target)
        return EnvironmentCreation(environment: try VirtualEnvironment(at: target), reused: false,
                                   installer: flavor.rawValue)
    }

    /// Installs conda packages into the environment at `path`.
    public func install(_ packages: [String], into path: String, channels: [String] = [],
                        progress: InstallProgressHandler? = nil) async throws(JinnError)
    {
        let target = VirtualEnvironment.absolute(path)
        let lock = try await StagedDirectory.lock(target, timeout: nil)
        defer { lock.release() }
        try await run(installationArguments(prefix: target, packages: packages, channels: channels), packages, progress)
    }

    private func run(_ arguments: [String], _ packages: [String], _ progress: InstallProgressHandler?)
        async throws(JinnError)
    {
        let result = try await ToolRun.run(executable, arguments) { line in
            progress?(InstallProgress(.installing, detail: line))
        }
        guard result.termination.isSuccess else {
            throw .environment(Installers.failure(result, request: InstallRequest(packages),
                                                  installer: flavor.rawValue))
        }
    }
}
