import Foundation
import Testing
@testable import Jinn

@Suite("Creating environments")
struct EnvironmentCreationTests {
    @Test("creates an environment with six installed, relocated from its staging directory",
          arguments: [InstallerChoice.uv, .pip])
    func createsAndInstalls(installer: InstallerChoice) async throws {
        try await withTemporaryDirectory { directory in
            let target = directory + "/venv"
            let log = EventLog()
            let created = try await VirtualEnvironment.create(
                at: target, from: try await EnvironmentFixture.python(), options: EnvironmentFixture.options(installer),
                packages: InstallRequest(["six==1.17.0"]), progress: log.handler)
            #expect(!created.reused)
            #expect(created.installer?.hasPrefix(installer.rawValue) == true)
            #expect(created.environment.path == target)
            #expect(try await EnvironmentFixture.run(created.environment, "import six, sys; print(six.__version__, sys.prefix)")
                    == "1.17.0 \(target)")
            // Only the environment and its lock file remain beside it: no staging directory.
            #expect(EnvironmentFixture.entries(directory) == [".venv.jinn-lock", "venv"])
            // The environment names its final path, never the staging one.
            for file in EnvironmentFixture.entries(target + "/bin") + ["../pyvenv.cfg"] {
                let text = (try? String(contentsOfFile: target + "/bin/" + file, encoding: .utf8)) ?? ""
                #expect(!text.contains(".jinn-tmp-"), "\(file) still names the staging directory")
            }
            let activate = try String(contentsOfFile: target + "/bin/activate", encoding: .utf8)
            #expect(activate.contains(target))
            let phases = Set(log.events.map(\.phase))
            #expect(phases.isSuperset(of: [.creating, .resolving, .installed, .finished]))
            let installed = log.events.filter { $0.phase == .installed }
            #expect(installed.map(\.package) == ["six"])
            #expect(installed.last?.completed == 1 && installed.last?.total == 1)
            let interpreter = try await created.environment.interpreter()
            #expect(interpreter.isVirtualEnvironment && interpreter.prefix == target)
        }
    }

    @Test("a console script installed by pip runs after the move")
    func consoleScriptsWork() async throws {
        try await withTemporaryDirectory { directory in
            let created = try await VirtualEnvironment.create(
                at: directory + "/venv", from: try await EnvironmentFixture.python(),
                options: EnvironmentFixture.options(.pip))
            let (termination, output, _) = try await runCapturing(directory + "/venv/bin/pip", ["--version"])
            #expect(termination.isSuccess)
            #expect(String(decoding: output, as: UTF8.self).contains(created.environment.path + "/lib/"))
        }
    }

    @Test("creating an environment that exists reuses it and installs into it")
    func reuses() async throws {
        try await withTemporaryDirectory { directory in
            let python = try await EnvironmentFixture.python()
            let options = EnvironmentFixture.options(.uv)
            let first = try await VirtualEnvironment.create(at: directory + "/env", from: python, options: options)
            _ = FileManager.default.createFile(atPath: directory + "/env/marker", contents: Data())
            let second = try await VirtualEnvironment.create(at: directory + "/env", from: python, options: options,
                                                             packages: InstallRequest(["six"]))
            #expect(!first.reused && second.reused)
            #expect(FileManager.default.fileExists(atPath: directory + "/env/marker"))
            #expect(try await second.environment.installedPackages().map(\.name) == ["six"])
        }
    }

    @Test("clear replaces the environment, upgrade keeps it")
    func clearAndUpgrade() async throws {
        try await withTemporaryDirectory { directory in
            let python = try await EnvironmentFixture.python()
            var options = EnvironmentFixture.options(.uv)
            _ = try await VirtualEnvironment.create(at: directory + "/env", from: python, options: options)
            _ = FileManager.default.createFile(atPath: directory + "/env/marker", contents: Data())
            options.upgrade = true
            let upgraded = try await VirtualEnvironment.create(at: directory + "/env", from: python, options: options)
            #expect(upgraded.reused)
            #expect(FileManager.default.fileExists(atPath: directory + "/env/marker"))
            options.upgrade = false
            options.clear = true
            let cleared = try await VirtualEnvironment.create(at: directory + "/env", from: python, options: options)
            #expect(!cleared.reused)
            #expect(!FileManager.default.fileExists(atPath: directory + "/env/marker"))
            #expect(EnvironmentFixture.entries(directory) == [".env.jinn-lock", "env"])
        }
    }

    @Test("system site packages, copies, prompt and pip options", arguments: [InstallerChoice.uv, .pip])
    func options(installer: InstallerChoice) async throws {
        try await withTemporaryDirectory { directory in
            let python = try await EnvironmentFixture.python()
            var options = EnvironmentFixture.options(installer)
            options.systemSitePackages = true
            options.prompt = "jinn-prompt"
            options.interpreterLink = .copies
            options.includePip = installer == .uv   // the opposite of each installer's default
            let environment = try await VirtualEnvironment.create(at: directory + "/env", from: python,
                                                                  options: options).environment
            let configuration = try String(contentsOfFile: directory + "/env/pyvenv.cfg", encoding: .utf8)
            #expect(configuration.contains("include-system-site-packages = true"))
            #expect(configuration.contains("jinn-prompt"))
            #expect(!StagedDirectory.isSymbolicLink(environment.pythonExecutable))
            let own = try await environment.installedPackages().map(\.normalizedName)
            #expect(own.contains("pip") == (installer == .uv))
            // The base interpreter's packages are visible, but they are not the environment's own.
            let base = try await runCapturing(python.executable, ["-c", "import pip; print(pip.__file__)"])
            #expect(try await EnvironmentFixture.run(environment, "import pip; print(pip.__file__)")
                    == (installer == .uv ? "\(environment.path)/lib/python\(python.version.major).\(python.version.minor)/site-packages/pip/__init__.py"
                        : String(decoding: base.1, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
    }

    @Test("installs a local wheel, a requirements file, and from an explicit index URL")
    func installSources() async throws {
        try await withTemporaryDirectory { directory in
            let wheel = try await EnvironmentFixture.makeWheel(in: directory)
            try "six\n".write(toFile: directory + "/requirements.txt", atomically: true, encoding: .utf8)
            let created = try await VirtualEnvironment.create(
                at: directory + "/env", from: try await EnvironmentFixture.python(),
                options: EnvironmentFixture.options(.uv))
            var request = InstallRequest([wheel], requirementFiles: [directory + "/requirements.txt"],
                                         indexURL: "https://pypi.org/simple")
            request.noCache = true
            try await created.environment.install(request, installer: .uv,
                                                  cacheDirectory: EnvironmentFixture.cacheDirectory)
            let packages = try await created.environment.installedPackages()
            #expect(packages.map(\.name) == ["jinn_tiny", "six"])
            #expect(packages.first?.sourceURL?.hasPrefix("file://") == true)
            #expect(try await EnvironmentFixture.run(created.environment, "import jinn_tiny; print(jinn_tiny.VALUE)")
                    == "1.0")
        }
    }

    @Test("a misspelt package or an impossible pin leaves no environment, and the error quotes the installer",
          arguments: [(InstallerChoice.uv, "sixx-does-not-exist"), (.pip, "sixx-does-not-exist"), (.uv, "six==99"),
                      (.pip, "six==99")])
    func failedInstallLeavesNothing(installer: InstallerChoice, requirement: String) async throws {
        try await withTemporaryDirectory { directory in
            let caught = await environmentError {
                _ = try await VirtualEnvironment.create(
                    at: directory + "/env", from: try await EnvironmentFixture.python(),
                    options: EnvironmentFixture.options(installer), packages: InstallRequest(["idna", requirement]))
            }
            if case .installFailed(let package, _, let tool, let message)? = caught {
                #expect(package == requirement)
                #expect(tool.hasPrefix(installer.rawValue))
                if installer == .pip {
                    #expect(message.contains("No matching distribution found for \(requirement)"))
                } else {
                    #expect(message.contains("No solution found when resolving dependencies"))
                }
            } else {
                Issue.record("expected .installFailed, got \(String(describing: caught))")
            }
            #expect(EnvironmentFixture.entries(directory) == [".env.jinn-lock"])
        }
    }

    @Test("a directory that is not an environment is never replaced")
    func refusesOccupiedTarget() async throws {
        try await withTemporaryDirectory { directory in
            try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: directory + "/data/precious", contents: Data("x".utf8))
            var options = EnvironmentFixture.options(.uv)
            options.clear = true
            await #expect(throws: JinnError.self) {
                _ = try await VirtualEnvironment.create(at: directory + "/data", from: try await EnvironmentFixture.python(),
                                                        options: options)
            }
            await #expect(throws: JinnError.self) { try await VirtualEnvironment.remove(at: directory + "/data") }
            #expect(FileManager.default.fileExists(atPath: directory + "/data/precious"))
        }
    }

    @Test("pip cannot install into an environment made without it, and says what to do")
    func pipMissing() async throws {
        try await withTemporaryDirectory { directory in
            let environment = try await VirtualEnvironment.create(
                at: directory + "/env", from: try await EnvironmentFixture.python(),
                options: EnvironmentFixture.options(.uv)).environment
            let caught = await environmentError {
                try await environment.install(InstallRequest(["six"]), installer: .pip)
            }
            if case .toolNotFound(_, let hint)? = caught {
                #expect(hint.contains("--installer uv"))
            } else {
                Issue.record("expected .toolNotFound, got \(String(describing: caught))")
            }
        }
    }

    @Test("uv is installed into Jinn's cache once and found there")
    func uvInCache() async throws {
        let python = try await EnvironmentFixture.python()
        let path = try await UVTool.install(using: python, cacheDirectory: EnvironmentFixture.cacheDirectory)
        #expect(path == UVTool.cachedExecutable(cacheDirectory: EnvironmentFixture.cacheDirectory))
        #expect(await UVTool.version(of: path) == UVTool.pinnedVersion)
        #expect(UVTool.locate(cacheDirectory: EnvironmentFixture.cacheDirectory, searchPath: "") == path)
        #expect(UVTool.locate(cacheDirectory: "/nonexistent", searchPath: "") == nil)
    }
}
