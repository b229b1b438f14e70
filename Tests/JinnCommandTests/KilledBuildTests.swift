import Foundation
import Jinn
import Testing

/// `jinn env create` killed in the middle of a build leaves no tool running, and the next command that looks at
/// the environments removes what the build left.
@Suite(.serialized)
struct KilledBuildTests {
    @Test(arguments: [SIGKILL, SIGTERM])
    func aKilledBuildTakesItsToolsAlongAndItsStagingGoesNextTime(signal number: Int32) async throws {
        let root = URL(fileURLWithPath: NSTemporaryDirectory() + "/jinn-killed-\(UUID().uuidString.prefix(8))")
            .standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let environments = root + "/envs"
        var environment = ProcessInfo.processInfo.environment
        environment["JINN_ENVIRONMENTS_DIR"] = environments
        environment["JINN_CACHE_DIR"] = EnvCommandTests.cache
        let build = try Spawned(JinnBinary.path, ["env", "create", "demo", "six", "--installer", "pip"],
                                environment: environment, directory: root)
        // Killed once the build's tools are at work: venv, then ensurepip and pip, in the staging directory.
        let working = eventually(within: 120) {
            Self.processes(mentioning: environments).contains { $0.contains("ensurepip") }
        }
        #expect(working)
        kill(build.pid, number)
        #expect(build.wait().termination == .signaled(number))
        // The watcher kills the tools' group as soon as the build's process is gone; left to themselves, the
        // orphans would go on installing pip for several seconds more.
        #expect(eventually(within: 2) { Self.processes(mentioning: environments).isEmpty },
                "\(Self.processes(mentioning: environments))")
        #expect(eventually(within: 60) { Self.processes(mentioning: environments).isEmpty })
        let leftovers = { (try? FileManager.default.contentsOfDirectory(atPath: environments))?
            .filter { $0.contains(".jinn-tmp-") } ?? [] }
        #expect(!leftovers().isEmpty)

        // The next command that looks at the environments removes the staging directory, and nothing half-made
        // is listed.
        let list = try await JinnBinary.run(["env", "list"], environment: ["JINN_ENVIRONMENTS_DIR": environments])
        #expect(list.output.isEmpty, "\(list)")
        #expect(leftovers().isEmpty)
    }

    /// Live processes whose command line mentions `text`.
    private static func processes(mentioning text: String) -> [String] {
        ProcessStatus.allPIDs.compactMap { pid in
            guard isRunning(pid), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else {
                return nil
            }
            let line = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
            return line.contains(text) ? "\(pid): \(line)" : nil
        }
    }
}
