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
        let code = try #require(parse(["--verbose", "--no-daemon", "-c", "print(1)", "x"]))
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
        let words = ["--with", "six==1.17.0", "--requirements=req.txt", "--with=idna", "--verbose", "tool.py", "--with", "x"]
        let script = try #require(parse(words))
        #expect(script.with == bytes(["six==1.17.0", "idna"]))
        #expect(script.requirementFiles == bytes(["req.txt"]))
        #expect(script.arguments == bytes(["tool.py", "--with", "x"]))
        #expect(script.original == bytes(words))
        #expect(parse(["--with"])?.usageError == "--with needs a value")
        #expect(parse(["--requirements"])?.usageError == "--requirements needs a value")
    }

    @Test func subcommandsGoToTheTool() throws {
        for name in JinnCommand.configuration.subcommands.map({ $0.configuration.commandName ?? "" }) + ["help"] {
            #expect(parse([name]) == nil, "\(name)")
            #expect(parse([name, "--help"]) == nil, "\(name)")
        }
        for (words, problem) in [(["--config"], "--config"), (["--verbose", "--with"], "--with"), (["-u", "--requirements"], "--requirements")] {
            #expect(parse(words)?.usageError == problem + " needs a value", "\(words)")
        }
        // After one of python3's options, or `--`, a word is a script, whatever it is called.
        #expect(try #require(parse(["-u", "daemon"])).entry == .script(Array("daemon".utf8)))
        #expect(try #require(parse(["--", "help"])).entry == .script(Array("help".utf8)))
    }

    @Test func combinedFlagsAndOptionValuesAsPython3ReadsThem() throws {
        let code = try #require(parse(["-uB", "-OO", "-Wdefault", "-W", "error::DeprecationWarning", "-Xdev",
                                       "-X", "utf8", "-uc", "print(1)", "-x", "y"]))
        #expect(code.entry == .code(Array("print(1)".utf8)))
        #expect(code.arguments == bytes(["-c", "-x", "y"]))
        #expect(code.interpreterOptions == bytes(["-u", "-B", "-O", "-O", "-W", "default", "-W",
                                                  "error::DeprecationWarning", "-X", "dev", "-X", "utf8", "-u"]))
        #expect(code.pythonArguments == bytes(["-uB", "-OO", "-Wdefault", "-W", "error::DeprecationWarning",
                                               "-Xdev", "-X", "utf8", "-uc", "print(1)", "-x", "y"]))
        #expect(code.directReason == nil)
        #expect(code.runOptions == RunOptions(interpreter: code.interpreterOptions, commandLine: code.pythonArguments))
        let attached = try #require(parse(["-Ic", "print(2)"]))
        #expect(attached.entry == .code(Array("print(2)".utf8)))
        let glued = try #require(parse(["-cprint(3)", "a"]))
        #expect(glued.entry == .code(Array("print(3)".utf8)))
        #expect(glued.arguments == bytes(["-c", "a"]))
        let module = try #require(parse(["-sEmjson.tool", "f"]))
        #expect(module.entry == .module(Array("json.tool".utf8)))
        #expect(module.interpreterOptions == bytes(["-s", "-E"]))
        #expect(module.arguments == bytes(["-m", "f"]))
        let script = try #require(parse(["-P", "--", "-weird.py", "-O"]))
        #expect(script.entry == .script(Array("-weird.py".utf8)))
        #expect(script.arguments == bytes(["-weird.py", "-O"]))
        #expect(script.pythonArguments == bytes(["-P", "--", "-weird.py", "-O"]))
        #expect(script.scriptFile == Array("-weird.py".utf8))
        // Jinn's own options keep their meaning among python3's.
        let mixed = try #require(parse(["-u", "--verbose", "--with", "six", "-B", "tool.py"]))
        #expect(mixed.verbose && mixed.with == bytes(["six"]))
        #expect(mixed.interpreterOptions == bytes(["-u", "-B"]))
        #expect(mixed.pythonArguments == bytes(["-u", "-B", "tool.py"]))
        // A plain command line sends no options, so the request is today's.
        #expect(try #require(parse(["tool.py", "-u"])).runOptions == nil)
    }

    @Test func scriptsOnStandardInput() throws {
        let dash = try #require(parse(["-u", "-", "a"]))
        #expect(dash.entry == .script(Array("-".utf8)))
        #expect(dash.arguments == bytes(["-", "a"]))
        #expect(dash.scriptFile == nil && dash.directReason == nil)
        #expect(dash.runOptions?.commandLine == bytes(["-u", "-", "a"]))
        let bare = try #require(parse([]))
        #expect(bare.entry == .script(Array("-".utf8)))
        #expect(bare.arguments == [[]])
        #expect(bare.runOptions == RunOptions(interpreter: [], commandLine: []))
        let quiet = try #require(parse(["-q", "--verbose"]))
        #expect(quiet.verbose && quiet.arguments == [[]] && quiet.interpreterOptions == bytes(["-q"]))
    }

    @Test func whatOnlyTheInterpreterAnswersRunsItDirectly() throws {
        let cases: [([String], [String])] = [
            (["-V"], ["-V"]), (["--version"], ["--version"]), (["-VV"], ["-VV"]),
            (["-h"], ["-h"]), (["--help"], ["--help"]), (["-Z"], ["-Z"]),
            (["-uZ", "x.py"], ["-uZ", "x.py"]), (["--bogus", "x"], ["--bogus", "x"]),
            (["-c"], ["-c"]), (["-W"], ["-W"]), (["-iv", "x.py"], ["-iv", "x.py"]),
            (["-vv", "x.py"], ["-vv", "x.py"]), (["-v", "x.py"], ["-v", "x.py"]), (["--verbose", "-v"], ["-v"]), (["-Ximporttime", "-c", "1"], ["-Ximporttime", "-c", "1"]),
            (["--no-daemon", "-X", "importtime"], ["-X", "importtime"]),
        ]
        for (words, expected) in cases {
            let invocation = try #require(parse(words))
            #expect(invocation.directReason != nil, "\(words)")
            #expect(invocation.pythonArguments == bytes(expected), "\(words)")
            #expect(invocation.scriptFile == nil, "\(words)")
        }
    }
}
