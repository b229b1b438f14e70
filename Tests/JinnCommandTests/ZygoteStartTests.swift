import Foundation
import Jinn
import JinnWire
import Testing

/// Zygotes of different keys start on their own: a slow preload holds up its own key's runs and no others.
@Suite(.serialized)
struct ZygoteStartTests {
    @Test func aWarmZygoteServesWhileAnotherKeysZygoteIsStillStarting() async throws {
        let box = try await ScriptRunnerSandbox(configuration: "preload = [\"jinn_test_start\"]\n")
        defer { box.tearDown() }
        // One module name in two directories: PYTHONPATH is a start-up variable, so each directory keys a zygote of
        // its own, and only the slow one's preload blocks, until the test lets it go.
        let fast = box.root.path + "/fast", slow = box.root.path + "/slow"
        let importing = box.root.path + "/slow-importing", release = box.root.path + "/slow-release"
        for directory in [fast, slow] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try "KIND = 'fast'\n".write(toFile: fast + "/jinn_test_start.py", atomically: true, encoding: .utf8)
        try """
            import os, time
            open(\(importing.debugDescription), 'w').close()
            # At most a minute, so that a failing test leaves no zygote behind.
            deadline = time.monotonic() + 60
            while not os.path.exists(\(release.debugDescription)) and time.monotonic() < deadline:
                time.sleep(0.01)
            KIND = 'slow'

            """.write(toFile: slow + "/jinn_test_start.py", atomically: true, encoding: .utf8)
        let code = "import jinn_test_start as m; print(m.KIND)"
        /// The zygote of runs whose start-up variables are the sandbox's and PYTHONPATH=directory alone.
        func zygote(in directory: String) throws -> PythonValue? {
            try box.request(.status)["zygotes"]?.elements?.first {
                $0["environment"]?.stringValue?.contains(" [LANG=C.UTF-8 PYTHONPATH=\(directory)]") == true
            }
        }

        #expect(try box.jinn(["-c", code], environment: ["PYTHONPATH": fast]).output == "fast\n")
        let warm = try zygote(in: fast)?["pid"]?.intValue
        #expect(warm != nil)

        let cold = try box.startJinn(["-c", code], environment: ["PYTHONPATH": slow])
        #expect(eventually(within: 30) { FileManager.default.fileExists(atPath: importing) })

        // While the slow zygote preloads, runs for the warm key complete, and so does one for a third key whose
        // zygote starts meanwhile.
        for _ in 0..<3 {
            let outcome = try box.jinn(["-c", code], environment: ["PYTHONPATH": fast])
            #expect(outcome.output == "fast\n" && outcome.termination == .exited(0), "\(outcome)")
        }
        let third = try box.jinn(["-c", code], environment: ["PYTHONPATH": fast, "PYTHONDONTWRITEBYTECODE": "1"])
        #expect(third.output == "fast\n" && third.termination == .exited(0), "\(third)")
        #expect(try zygote(in: fast)?["pid"]?.intValue == warm)
        // A run counts once the daemon has seen its end, which may come after its client has left.
        #expect(try eventually { try zygote(in: fast)?["runs"]?.intValue == 4 })

        // All of that happened before the slow zygote was ready: its run has not been handed over (it is a session
        // only once its zygote is ready) and its client waits.
        #expect(try zygote(in: slow)?["ready"]?.boolValue == false)
        let waiting = try box.request(.sessions).elements ?? []
        #expect(waiting.isEmpty, "\(waiting)")
        #expect(isRunning(cold.pid))

        #expect(FileManager.default.createFile(atPath: release, contents: nil))
        let outcome = cold.wait()
        #expect(outcome.output == "slow\n" && outcome.termination == .exited(0), "\(outcome)")
        #expect(try zygote(in: slow)?["ready"]?.boolValue == true)
    }
}
