import Foundation
@testable import JinnDaemonCore
import Testing
import JinnSystem

struct ConfigurationTests {
    private func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "jinn-config-\(UUID().uuidString).toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func defaultsApplyWithoutAFile() throws {
        let configuration = try Configuration.resolve(environment: { name in
            ["HOME": "/nonexistent-home", "TMPDIR": "/var/tmp"][name]
        })
        #expect(configuration.interpreter == nil)
        #expect(configuration.preload.isEmpty)
        #expect(configuration.idleTimeout == 1800)
        #expect(configuration.socketDirectory == "/var/tmp/jinn-\(getuid())")
        #expect(configuration.effectiveLogFile == "/var/tmp/jinn-\(getuid())/daemon.log")
        #expect(configuration.logLevel == "info")
        #expect(configuration.file == nil)
    }

    @Test func theLimitsAndTimeOutsAreRead() throws {
        let path = try file("""
            client_timeout = 1.5
            zygote_start_timeout = 3
            request_timeout = 4
            max_connections = 50
            max_request_size = 65536
            max_zygotes = 3
            zygote_idle_timeout = 120
            max_zygote_memory = 512
            interpreter = "/opt/python3"
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try Configuration.resolve(flags: .init(configFile: path), environment: { _ in nil })
        #expect(configuration.clientTimeout == 1.5 && configuration.zygoteStartTimeout == 3)
        #expect(configuration.requestTimeout == 4 && configuration.maximumConnections == 50)
        #expect(configuration.maximumRequestSize == 65536 && configuration.maximumZygotes == 3)
        #expect(configuration.zygoteIdleTimeout == 120 && configuration.maximumZygoteMemory == 512)
        #expect(configuration.interpreterOrigin == "'interpreter' in \(path)")
        let flagged = try Configuration.resolve(flags: .init(configFile: path, interpreter: "/usr/bin/python3"),
                                                environment: { _ in nil })
        #expect(flagged.interpreterOrigin == "--python on the command line")
        for bad in ["client_timeout = 0", "max_connections = -1", "max_request_size = 10", "max_zygotes = \"2\""] {
            let badPath = try file(bad)
            defer { try? FileManager.default.removeItem(atPath: badPath) }
            #expect(throws: ConfigurationError.self) {
                try Configuration.resolve(flags: .init(configFile: badPath), environment: { _ in nil })
            }
        }
    }

    @Test func aRunsOwnSettingsReplaceTheDaemonsButNotItsFlagsOrItsLimits() throws {
        let runFile = try file("interpreter = \"/venv/bin/python\"\npreload = [\"json\"]\nhash_seed_runs = 7\n")
        let run = try Configuration.resolve(flags: .init(configFile: runFile), environment: { _ in nil })
        #expect(run.fileVersion != nil)
        var daemon = Configuration()
        daemon.maximumZygotes = 3
        daemon.preload = ["csv"]
        let applied = daemon.applying(run.runSettings)
        #expect(applied.interpreter == "/venv/bin/python" && applied.preload == ["json"] && applied.hashSeedRuns == 7)
        #expect(applied.interpreterOrigin == "'interpreter' in \(runFile)")
        #expect(applied.file == runFile && applied.fileVersion == run.fileVersion)
        #expect(applied.maximumZygotes == 3)
        #expect(applied.zygoteSettings == ["interpreter=/venv/bin/python", "preload=json"])
        let flagged = daemon.applying(run.runSettings, keeping: .init(preload: ["csv"]))
        #expect(flagged.preload == ["csv"] && flagged.interpreter == "/venv/bin/python")
        #expect(Configuration().zygoteSettings.isEmpty)
    }

    @Test func theRuntimeDirectoryIsPreferred() throws {
        let configuration = try Configuration.resolve(environment: { name in
            ["XDG_RUNTIME_DIR": "/run/user/5", "HOME": "/nonexistent-home"][name]
        })
        #expect(configuration.socketDirectory == "/run/user/5/jinn")
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws {
        let path = try file("""
            interpreter = "/from/file"
            preload = ["json"]
            idle_timeout = 10
            log_level = "debug"
            socket_dir = "/file/sock"
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let environment = ["JINN_CONFIG": path, "JINN_PRELOAD": "decimal, fractions", "JINN_IDLE_TIMEOUT": "20",
                           "HOME": "/nonexistent-home"]
        let fromEnvironment = try Configuration.resolve(environment: { environment[$0] })
        #expect(fromEnvironment.file == path)
        #expect(fromEnvironment.interpreter == "/from/file")          // file beats default
        #expect(fromEnvironment.preload == ["decimal", "fractions"])  // environment beats file
        #expect(fromEnvironment.idleTimeout == 20)
        #expect(fromEnvironment.logLevel == "debug")
        #expect(fromEnvironment.socketDirectory == "/file/sock")

        let flags = Configuration.Flags(preload: ["csv"], idleTimeout: 30, logLevel: "error")
        let fromFlags = try Configuration.resolve(flags: flags, environment: { environment[$0] })
        #expect(fromFlags.preload == ["csv"])                         // flags beat environment
        #expect(fromFlags.idleTimeout == 30)
        #expect(fromFlags.logLevel == "error")
        #expect(fromFlags.interpreter == "/from/file")
    }

    @Test(arguments: [
        ("idle_timeout = \"soon\"\n", "'idle_timeout' must be a whole number of seconds (0 or more), not a string"),
        ("idle_timeout = -1\n", "'idle_timeout' must be a whole number of seconds"),
        ("preload = \"numpy\"\n", "'preload' must be an array of module names, not a string"),
        ("preload = [\"numpy\", 3]\n", "'preload' must hold only module names (strings), not an integer"),
        ("log_level = \"loud\"\n", "'log_level' must be one of trace, debug, info"),
        ("socket_dir = \"relative\"\n", "'socket_dir' must be an absolute path"),
        ("colour = \"blue\"\n", "'colour' is not a setting; the settings are interpreter, preload"),
        ("preload = [\n", "is not valid TOML: line 3: an array is not closed"),
    ])
    func anInvalidFileNamesTheFileTheKeyAndTheExpectation(text: String, expected: String) throws {
        let path = try file("# settings\n" + text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try Configuration.resolve(flags: .init(configFile: path), environment: { _ in nil })
        } throws: { error in
            let description = "\(error)"
            return description.contains(path) && description.contains(expected)
        }
    }

    @Test func anInvalidFileReportsItsLine() throws {
        let path = try file("# settings\n\nidle_timeout = true\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ConfigurationError(source: path, key: "idle_timeout", line: 3,
                                           problem: "must be a whole number of seconds (0 or more), not a boolean (true)")) {
            try Configuration.resolve(flags: .init(configFile: path), environment: { _ in nil })
        }
    }

    @Test func aMissingExplicitFileIsAnError() {
        #expect(throws: ConfigurationError.self) {
            try Configuration.resolve(flags: .init(configFile: "/nonexistent/jinn.toml"), environment: { _ in nil })
        }
    }

    @Test func invalidEnvironmentValuesNameTheVariable() {
        #expect {
            try Configuration.resolve(environment: { ["JINN_IDLE_TIMEOUT": "soon"][$0] })
        } throws: { "\($0)".contains("JINN_IDLE_TIMEOUT") && "\($0)".contains("'soon'") }
    }
}

struct InterpreterCheckTests {
    @Test func onlyAPythonInterpreterPasses() throws {
        let python = try #require(ExecutableSearch.find(["python3"]))
        #expect(InterpreterCheck.problem(with: python) == nil)
        #expect(InterpreterCheck.problem(with: "/bin/sh") == "/bin/sh is not a Python interpreter")
        #expect(InterpreterCheck.problem(with: "/nonexistent/python3")?.hasPrefix("/nonexistent/python3 does not exist")
                == true)
        #expect(InterpreterCheck.problem(with: "/tmp") == "/tmp is not an executable file")
        for name in ["python", "python3", "python3.12", "python3.13t"] { #expect(InterpreterCheck.isPythonName("/x/" + name)) }
        for name in ["sh", "pythonista", "ipython3"] { #expect(!InterpreterCheck.isPythonName("/x/" + name)) }
    }
}
