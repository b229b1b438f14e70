@testable import jinn
@testable import jinn_tool
import JinnWire
import Testing

/// The client's hand-written parser: which command lines are script runs and what they ask for.
struct ClientInvocationTests {
    private func parse(_ words: [String]) -> ClientInvocation? {
        ClientInvocation.parse(words.map { Array($0.utf8) })
    }

    private func bytes(_ words: [String]) -> [[UInt8]] { words.map { Array($0.utf8) } }

    @Test func scriptsCodeAndModules() throws {
        let script = try #require(parse(["tool.py", "-v", "--no-daemon"]))
        #expect(script.entry == .script(Array("tool.py".utf8)))
        #expect(script.arguments == bytes(["tool.py", "-v", "--no-daemon"]))  // after the script: the script's
        #expect(!script.verbose && !script.noDaemon)
        let code = try #require(parse(["-v", "--no-daemon", "-c", "print(1)", "x"]))
        #expect(code.entry == .code(Array("print(1)".utf8)))
        #expect(code.arguments == bytes(["-c", "x"]))
        #expect(code.pythonArguments == bytes(["-c", "print(1)", "x"]))
        #expect(code.verbose && code.noDaemon)
        let module = try #require(parse(["--config=/c.toml", "-m", "http.server", "8000"]))
        #expect(module.entry == .module(Array("http.server".utf8)))
        #expect(module.arguments == bytes(["-m", "8000"]))
        #expect(module.configFile == "/c.toml")
        let run = try #require(parse(["run", "--config", "/c.toml", "daemon", "start"]))
        #expect(run.entry == .script(Array("daemon".utf8)))
        #expect(run.arguments == bytes(["daemon", "start"]))
    }

    @Test func dependenciesBeforeTheScript() throws {
        let words = ["--with", "six==1.17.0", "--requirements=req.txt", "--with=idna", "-v", "tool.py", "--with", "x"]
        let script = try #require(parse(words))
        #expect(script.with == bytes(["six==1.17.0", "idna"]))
        #expect(script.requirementFiles == bytes(["req.txt"]))
        #expect(script.arguments == bytes(["tool.py", "--with", "x"]))
        #expect(script.original == bytes(words))
        #expect(parse(["--with"]) == nil)
        #expect(parse(["--requirements"]) == nil)
    }

    @Test func subcommandsAndEverythingElseGoToTheTool() {
        for name in JinnCommand.configuration.subcommands.map({ $0.configuration.commandName ?? "" }) + ["help"] {
            #expect(parse([name]) == nil, "\(name)")
            #expect(parse([name, "--help"]) == nil, "\(name)")
        }
        for words in [[], ["--help"], ["-h"], ["-c"], ["-m"], ["--config"], ["-x", "script.py"], ["-v"]] {
            #expect(parse(words) == nil, "\(words)")
        }
    }
}
