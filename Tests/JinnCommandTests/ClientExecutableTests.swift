import Foundation
import Jinn
import Testing

/// The `jinn` client and `jinn-tool`: script runs stay in the small client, every other command line is handed to
/// the tool, and a client installed without its tool still runs scripts and says what is missing.
@Suite(.serialized)
struct ClientExecutableTests {
    private var client: URL { CommandRunner.executable }
    private var tool: URL { client.deletingLastPathComponent().appending(path: "jinn-tool") }

    @Test func theClientLinksNeitherFoundationNorArgumentParser() throws {
        let image = try Data(contentsOf: client)
        // A dynamically linked build names the libraries it needs; a static one carries their mangled symbols.
        for marker in ["libFoundation", "10Foundation", "14ArgumentParser", "libArgumentParser"] {
            #expect(image.range(of: Data(marker.utf8)) == nil, "\(client.path) contains \(marker)")
        }
        #expect(FileManager.default.isExecutableFile(atPath: tool.path))
    }

    @Test func subcommandsAndJinnsHelpAreServedByTheTool() throws {
        // `jinn --help` is python3's help now; Jinn's own is `jinn help`.
        let help = try CommandRunner.run(["help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("USAGE: jinn"))
        #expect(help.standardOutput.contains("SUBCOMMANDS"))

        let unknown = try CommandRunner.run(["daemon", "--no-such-option"])
        #expect(unknown.status == 64)
        #expect(unknown.standardError.contains("--no-such-option"))

        // Jinn's own option without its value is Jinn's to answer, before anything runs.
        let missing = try CommandRunner.run(["--with"])
        #expect(missing.status == 2)
        #expect(missing.standardError == "jinn: --with needs a value; Jinn's options are described by `jinn help`\n")
    }

    @Test func aClientWithoutItsToolStillRunsScriptsAndNamesWhatIsMissing() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let lonely = box.root.appending(path: "bin/jinn")
        try FileManager.default.createDirectory(at: lonely.deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: client, to: lonely)

        let status = try Spawned(lonely.path, ["daemon", "status"], environment: box.environment,
                                 directory: box.root.path).wait()
        #expect(status.termination == .exited(127))
        #expect(status.errors.contains("cannot run \(box.root.path)/bin/jinn-tool"), "\(status)")

        // No tool, so no daemon can start: the script runs on the interpreter directly, with a note under -v.
        let script = try box.script("hello.py", "import sys\nprint('hello', sys.argv[1:])\n")
        let run = try Spawned(lonely.path, ["--verbose", script, "a"], environment: box.environment,
                              directory: box.root.path).wait()
        #expect(run.termination == .exited(0))
        #expect(run.output == "hello ['a']\n")
        #expect(run.errors.contains("running the interpreter directly"), "\(run)")
        #expect(box.daemonProcesses().isEmpty)
    }
}
