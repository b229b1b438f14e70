import Foundation
import JinnWire
import Testing
@testable import Jinn

/// Script environments in a cache of their own, made with the library's pinned uv and real packages from PyPI.
@Suite("Script environments")
struct ScriptEnvironmentCacheTests {
    /// A cache in `directory` that finds the tests' pinned uv, so uv is installed once for every test.
    private func cache(in directory: String) throws -> ScriptEnvironmentCache {
        try FileManager.default.createDirectory(atPath: directory + "/cache", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: EnvironmentFixture.cacheDirectory + "/tools",
                                                withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory + "/cache/tools",
                                                   withDestinationPath: EnvironmentFixture.cacheDirectory + "/tools")
        return ScriptEnvironmentCache(cacheDirectory: directory + "/cache")
    }

    private func options() -> EnvironmentOptions {
        EnvironmentFixture.options(.uv)
    }

    @Test("an environment's dependency modules: those of the distributions it was made for, as uv installed them")
    func dependencyModules() async throws {
        try await withTemporaryDirectory { directory in
            let cache = try cache(in: directory)
            let python = try await EnvironmentFixture.python()
            // six has a top_level.txt; attrs has none, so its RECORD's packages (attr, attrs) are read.
            let needs = ScriptNeeds(requirements: [try PackageRequirement("Six==1.17.0"),
                                                   try PackageRequirement("attrs==24.2.0")])
            let made = try await cache.prepare(needs, interpreter: python, options: options())
            #expect(made.environment.dependencyModules() == ["attr", "attrs", "six"])
            var none = made.environment
            none.requirements = []
            #expect(none.dependencyModules().isEmpty)
        }
    }

    @Test("the same requirement set, however spelt, gets one environment; another version gets another")
    func sharing() async throws {
        try await withTemporaryDirectory { directory in
            let cache = try cache(in: directory)
            let python = try await EnvironmentFixture.python()
            let first = ScriptNeeds(requirements: [try PackageRequirement("Six == 1.16.0")])
            let made = try await cache.prepare(first, interpreter: python, options: options())
            #expect(made.created)
            let respelt = ScriptNeeds(requirements: [try PackageRequirement("six==1.16.0"),
                                                     try PackageRequirement("SIX==1.16.0")])
            let again = try await cache.prepare(respelt, interpreter: python, options: options())
            #expect(!again.created && again.environment.path == made.environment.path)
            let other = try await cache.prepare(ScriptNeeds(requirements: [try PackageRequirement("six==1.17.0")]),
                                                interpreter: python, options: options())
            #expect(other.environment.path != made.environment.path)
            let code = "import six, sys; print(six.__version__, sys.prefix)"
            #expect(try await EnvironmentFixture.run(VirtualEnvironment(at: made.environment.path), code)
                    == "1.16.0 \(made.environment.path)")
            #expect(try await EnvironmentFixture.run(VirtualEnvironment(at: other.environment.path), code)
                    == "1.17.0 \(other.environment.path)")
            #expect(Set(cache.environments().map(\.path)) == [made.environment.path, other.environment.path])
        }
    }

    @Test("two first uses at once install once")
    func concurrentFirstUse() async throws {
        try await withTemporaryDirectory { directory in
            let cache = try cache(in: directory)
            let python = try await EnvironmentFixture.python()
            let needs = ScriptNeeds(requirements: [try PackageRequirement("six")])
            async let a = cache.prepare(needs, interpreter: python, options: options())
            async let b = cache.prepare(needs, interpreter: python, options: options())
            let (first, second) = try await (a, b)
            #expect(first.environment.path == second.environment.path)
            #expect(first.created != second.created)
            #expect(EnvironmentFixture.entries(cache.root).filter { !$0.hasSuffix(".jinn-lock") }.count == 1)
        }
    }

    @Test("a failed install leaves nothing a later use would take", arguments: ["jinn-no-such-package-xyz", "six==99.0"])
    func failure(requirement: String) async throws {
        try await withTemporaryDirectory { directory in
            let cache = try cache(in: directory)
            let needs = ScriptNeeds(requirements: [try PackageRequirement(requirement)])
            let error = await environmentError {
                _ = try await cache.prepare(needs, interpreter: EnvironmentFixture.python(), options: options())
            }
            guard case .installFailed(_, _, let installer, let message)? = error else {
                Issue.record("expected .installFailed, got \(String(describing: error))")
                return
            }
            #expect(installer.hasPrefix("uv"))
            #expect(message.contains("No solution found"))
            #expect(EnvironmentFixture.entries(cache.root).allSatisfy { $0.hasSuffix(".jinn-lock") })
            #expect(cache.environments().isEmpty)
        }
    }

    @Test("removal keeps what a run holds and what was used lately")
    func removal() async throws {
        try await withTemporaryDirectory { directory in
            let cache = try cache(in: directory)
            let python = try await EnvironmentFixture.python()
            let held = try await cache.prepare(ScriptNeeds(requirements: [try PackageRequirement("six==1.16.0")]),
                                               interpreter: python, options: options()).environment
            let idle = try await cache.prepare(ScriptNeeds(requirements: [try PackageRequirement("six==1.17.0")]),
                                               interpreter: python, options: options()).environment
            // Nothing was unused for a day yet.
            #expect(await cache.remove(unusedFor: .seconds(86400)).removed.isEmpty)
            // A run holds the shared lock of its environment's usage file.
            let usage = open(held.path + "/" + ScriptEnvironmentFiles.usage, O_RDWR)
            #expect(usage >= 0 && flock(usage, LOCK_SH) == 0)
            let removal = await cache.remove(unusedFor: nil)
            #expect(removal.removed == [idle.path] && removal.inUse == [held.path])
            #expect(VirtualEnvironment.exists(at: held.path) && !FileManager.default.fileExists(atPath: idle.path))
            close(usage)
            // Ten days later, an environment last used now is old enough for a week's limit.
            let later = Date().addingTimeInterval(10 * 86400)
            #expect(await cache.remove(unusedFor: .seconds(7 * 86400), now: later).removed == [held.path])
            #expect(cache.environments().isEmpty)
        }
    }

    @Test("requires-python finds a matching interpreter, or names every one it found")
    func interpreterDiscovery() async throws {
        let newest = try await InterpreterDiscovery.interpreter(matching: try VersionSpecifier(">=3.12"))
        #expect(newest.version >= PythonVersion(major: 3, minor: 12, micro: 0))
        let system = try await EnvironmentFixture.python()
        let same = try await InterpreterDiscovery.interpreter(
            matching: try VersionSpecifier("==\(system.version.major).\(system.version.minor).*"))
        #expect(same.executable == system.executable)
        do {
            _ = try await InterpreterDiscovery.interpreter(matching: try VersionSpecifier(">=3.99"))
            Issue.record("found an interpreter for >=3.99")
        } catch {
            guard case .environment(.noMatchingInterpreter(let requirement, let found)) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(requirement == ">=3.99")
            #expect(found.contains { $0.contains(system.executable) })
            let versions = found.compactMap { try? PackageVersion(String($0.prefix { $0 != " " })) }
            #expect(versions == versions.sorted(by: >), "\(found)")
        }
    }
}
