import Foundation
import Testing
@testable import Jinn

@Suite("Freezing and restoring environments")
struct EnvironmentLockTests {
    @Test("a lock restored into another location gives the same environment", arguments: [InstallerChoice.uv, .pip])
    func freezeAndRestore(installer: InstallerChoice) async throws {
        try await withTemporaryDirectory { directory in
            let python = try await EnvironmentFixture.python()
            let wheel = try await EnvironmentFixture.makeWheel(in: directory)
            let original = try await VirtualEnvironment.create(
                at: directory + "/original", from: python, options: EnvironmentFixture.options(installer),
                packages: InstallRequest(["six==1.17.0", "idna==3.10", wheel])).environment
            var freezing = FreezeOptions()
            freezing.installer = installer
            freezing.cacheDirectory = EnvironmentFixture.cacheDirectory
            let lock = try await original.freeze(options: freezing)
            #expect(lock.python.version == "\(python.version.major).\(python.version.minor).\(python.version.micro)")
            #expect(lock.python.implementation == python.implementation)
            #expect(lock.platform.system == python.platform && lock.platform.machine == python.machine)
            #expect(lock.packages.map(\.description).prefix(2) == ["idna==3.10", "jinn_tiny @ file://\(wheel)"])
            #expect(lock.packages.last?.description == "six==1.17.0")
            let six = try #require(lock.packages.first { $0.name == "six" })
            if installer == .uv {
                // uv gives the hashes of every distribution the index has for the pinned version.
                #expect(six.hashes.contains("sha256:4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"))
            } else {
                #expect(six.hashes.isEmpty)
            }
            if installer == .pip {
                // pip records the hash of an archive installed from a path; uv does not.
                let local = try #require(lock.packages.first { $0.name == "jinn_tiny" })
                #expect(local.hashes.count == 1 && local.hashes.first?.hasPrefix("sha256:") == true)
            }

            // Through the file, as a user would.
            try lock.write(to: directory + "/jinn.lock")
            let reread = try LockFile(contentsOf: directory + "/jinn.lock")
            #expect(reread == lock)

            let log = EventLog()
            let restored = try await VirtualEnvironment.restore(
                reread, at: directory + "/elsewhere/copy", from: python, options: EnvironmentFixture.options(installer),
                progress: log.handler)
            #expect(!restored.reused)
            #expect(log.events.contains { $0.phase == .verifying })
            let again = try await restored.environment.freeze(options: freezing)
            #expect(again.packages == lock.packages)
            #expect(try await restored.environment.installedPackages().map(\.description)
                    == original.installedPackages().map(\.description))
            #expect(EnvironmentFixture.entries(directory + "/elsewhere") == [".copy.jinn-lock", "copy"])

            // Restoring again onto the same place reuses it, since it matches.
            let second = try await VirtualEnvironment.restore(reread, at: directory + "/elsewhere/copy", from: python,
                                                              options: EnvironmentFixture.options(installer))
            #expect(second.reused)
        }
    }

    @Test("restoring onto an environment that differs is refused; with clear it is replaced")
    func restoreOntoDifferent() async throws {
        try await withTemporaryDirectory { directory in
            let python = try await EnvironmentFixture.python()
            let options = EnvironmentFixture.options(.uv)
            _ = try await VirtualEnvironment.create(at: directory + "/env", from: python, options: options,
                                                    packages: InstallRequest(["idna"]))
            let lock = LockFile(python: .init(implementation: python.implementation, version: "\(python.version)"),
                                platform: .init(system: python.platform, machine: python.machine), installer: nil,
                                packages: [.init(name: "six", version: "1.17.0")])
            let caught = await environmentError {
                _ = try await VirtualEnvironment.restore(lock, at: directory + "/env", from: python, options: options)
            }
            if case .targetOccupied(_, let reason)? = caught {
                #expect(reason.contains("missing: six==1.17.0") && reason.contains("--clear"))
            } else {
                Issue.record("expected .targetOccupied, got \(String(describing: caught))")
            }
            var clearing = options
            clearing.clear = true
            let restored = try await VirtualEnvironment.restore(lock, at: directory + "/env", from: python,
                                                                options: clearing)
            #expect(try await restored.environment.installedPackages().map(\.description) == ["six==1.17.0"])
        }
    }

    @Test("a lock for another interpreter is refused before anything is built")
    func mismatch() async throws {
        try await withTemporaryDirectory { directory in
            let python = try await EnvironmentFixture.python()
            let lock = LockFile(python: .init(implementation: python.implementation, version: "2.7.18"),
                                platform: .init(system: python.platform, machine: python.machine), installer: nil,
                                packages: [])
            let caught = await environmentError {
                _ = try await VirtualEnvironment.restore(lock, at: directory + "/env", from: python)
            }
            if case .lockMismatch(let wanted, let found)? = caught {
                #expect(wanted.contains("2.7.18"))
                #expect(found.contains("\(python.version.major).\(python.version.minor)"))
            } else {
                Issue.record("expected .lockMismatch, got \(String(describing: caught))")
            }
            #expect(EnvironmentFixture.entries(directory).isEmpty)
        }
    }

    @Test("differences ignore the environment's own tools unless the lock lists them")
    func differences() {
        let lock = LockFile(python: .init(implementation: "cpython", version: "3.11.7"),
                            platform: .init(system: "linux", machine: "x86_64"), installer: nil,
                            packages: [.init(name: "Six", version: "1.17.0"), .init(name: "idna", version: "3.10")])
        let installed = [InstalledPackage(name: "six", version: "1.16.0"), InstalledPackage(name: "pip", version: "23"),
                         InstalledPackage(name: "attrs", version: "1")]
        let (missing, unexpected, differing) = lock.differences(from: installed)
        #expect(missing == ["idna==3.10"])
        #expect(unexpected == ["attrs==1"])
        #expect(differing == ["Six 1.16.0 instead of 1.17.0"])
    }

    @Test("a lock file that is not one, or is newer, is refused with its path")
    func invalidLock() {
        #expect(throws: JinnError.self) { try LockFile(data: Data("{}".utf8), path: "x.lock") }
        let newer = #"{"format": 99, "python": {"implementation": "cpython", "version": "3.11.7"},"#
            + #""platform": {"system": "linux", "machine": "x86_64"}, "packages": []}"#
        do {
            _ = try LockFile(data: Data(newer.utf8), path: "new.lock")
            Issue.record("accepted format 99")
        } catch {
            #expect("\(error)".contains("new.lock") && "\(error)".contains("format 99"))
        }
    }
}
