import Foundation
import Testing

/// One daemon serves clients whose configurations differ: each run gets the settings its own client resolved
/// (its `--config`, `JINN_CONFIG`, `JINN_*` variables, its default file), whoever started the daemon.
@Suite(.serialized)
struct PerClientConfigurationTests {
    /// Another CPython than the default `python3`, from pyenv's versions.
    private static let otherPython = NSHomeDirectory() + "/.pyenv/versions/3.12.1/bin/python3.12"
    private static let version = "import sys; print('%d.%d' % sys.version_info[:2])"

    @Test func eachClientsInterpreterServesItsOwnRunsFromOneDaemon() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.otherPython), "this test needs \(Self.otherPython)")
        let box = try await ScriptRunnerSandbox(configuration: "interpreter = \"\(Self.otherPython)\"\n")
        defer { box.tearDown() }
        let plain = box.root.path + "/plain.toml"
        try "preload = [\"decimal\"]\n".write(toFile: plain, atomically: true, encoding: .utf8)
        let expected = try box.python3(["-c", Self.version]).output
        // The first client (its file names 3.12) starts the daemon; the others' runs must not get its interpreter.
        #expect(try box.jinn(["-c", Self.version]).output == "3.12\n")
        let daemon = try box.daemonPID()
        #expect(try box.jinn(["-c", Self.version], environment: ["JINN_CONFIG": plain]).output == expected)
        #expect(try box.jinn(["--config", plain, "-c", Self.version]).output == expected)
        #expect(try box.jinn(["-c", Self.version], environment: ["JINN_INTERPRETER": Self.otherPython,
                                                                  "JINN_CONFIG": plain]).output == "3.12\n")
        let preloaded = "import sys; print('decimal' in sys.modules)"
        #expect(try box.jinn(["-c", preloaded], environment: ["JINN_CONFIG": plain]).output == "True\n")
        #expect(try box.jinn(["-c", preloaded]).output == "False\n")
        // And back: the first configuration's runs still get theirs, from the same daemon.
        #expect(try box.jinn(["-c", Self.version]).output == "3.12\n")
        #expect(try box.daemonPID() == daemon)
        let zygotes = try box.request(.status)["zygotes"]?.elements ?? []
        #expect(zygotes.count >= 3, "\(zygotes)")
    }

    @Test func deletingTheDefaultFileRevertsTheNextRun() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let home = box.root.path + "/xdg"
        try FileManager.default.createDirectory(atPath: home + "/jinn", withIntermediateDirectories: true)
        let file = home + "/jinn/config.toml"
        try "preload = [\"decimal\"]\ninterpreter = \"\(Self.otherPython)\"\n".write(toFile: file, atomically: true,
                                                                                   encoding: .utf8)
        let environment = ["JINN_CONFIG": "", "XDG_CONFIG_HOME": home]
        let code = "import sys; print('%d.%d' % sys.version_info[:2], 'decimal' in sys.modules)"
        #expect(try box.jinn(["-c", code], environment: environment).output == "3.12 True\n")
        try FileManager.default.removeItem(atPath: file)
        let expected = String(try box.python3(["-c", Self.version]).output.dropLast()) + " False\n"
        let after = try box.jinn(["-c", code], environment: environment)
        #expect(after.output == expected)
        #expect(after.errors == "")
        #expect(after.termination == .exited(0))
    }
}
