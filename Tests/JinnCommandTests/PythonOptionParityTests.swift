import Foundation
import Jinn
import JinnWire
import Testing

/// python3's own options and modes, `jinn OPTIONS …` against `python3 OPTIONS …` on the same command line: the same
/// stdout, stderr and status, through the daemon for every option that shapes a run, and the interpreter's own
/// answers (`-V`, `-h`, an unknown option) word for word.
@Suite(.serialized)
struct PythonOptionParityTests {
    struct Case: CustomStringConvertible {
        var arguments: [String]
        var input = ""
        var environment: [String: String] = [:]
        var description: String { arguments.joined(separator: " ") }
    }

    /// A script that prints what the start-up options shape.
    static let probe = """
        import sys, warnings
        def documented():
            "the docstring"
        print(sys.flags)
        print(sys.warnoptions, sys._xoptions, sys.orig_argv[1:], sys.argv)
        print(sys.path)
        print(__debug__, documented.__doc__, sys.dont_write_bytecode, sys.pycache_prefix, sys.flags.optimize)
        print(sys.stdout.line_buffering, sys.stdout.write_through, type(sys.stdout.buffer).__name__,
              sys.stderr.line_buffering, sys.stderr.write_through, type(sys.stderr.buffer).__name__)
        print(sys.stdout.encoding, sys.stdin.encoding, sys.getfilesystemencoding())
        print([(action, str(category.__name__)) for action, _, category, _, _ in warnings.filters[:3]])
        try:
            assert False, "asserted"
        except AssertionError as error:
            print("assert ran:", error)
        else:
            print("assert skipped")
        warnings.warn("a user warning")
        print(b"bytes" == "bytes")
        print("done")

        """

    /// The command lines a warm run serves.
    static func servedCases() -> [Case] {
        let probeCode = probe
        var cases: [Case] = []
        for options in [["-u"], ["-B"], ["-O"], ["-OO"], ["-W", "error"], ["-Wdefault"], ["-Wignore::UserWarning"],
                        ["-X", "dev"], ["-Xutf8"], ["-X", "int_max_str_digits=640"], ["-E"], ["-I"], ["-s"], ["-S"],
                        ["-P"], ["-q"], ["-b"], ["-R"], ["-uBO"], ["-OOsu"], ["-d"],
                        ["--check-hash-based-pycs", "always"], ["-W", "default", "-W", "error::DeprecationWarning"]]
        {
            cases.append(Case(arguments: options + ["probe.py", "a", "-O"]))
        }
        cases += [
            Case(arguments: ["-uc", probeCode, "x"]),
            Case(arguments: ["-OOc", probeCode]),
            Case(arguments: ["-Ic", probeCode]),
            Case(arguments: ["-O", "-m", "probe", "m"]),
            Case(arguments: ["-Wignore", "-mprobe"]),
            Case(arguments: ["-B", "--", "probe.py", "x"]),
            Case(arguments: ["-E", "probe.py"],
                 environment: ["PYTHONPATH": "/nowhere", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
                               "PYTHONWARNINGS": "error", "PYTHONOPTIMIZE": "1"]),
            Case(arguments: ["-I", "probe.py"], environment: ["PYTHONPATH": "/nowhere", "PYTHONUNBUFFERED": "1"]),
            Case(arguments: ["-W", "always", "probe.py"], environment: ["PYTHONWARNINGS": "ignore"]),
            Case(arguments: ["probe.py"], environment: ["PYTHONUNBUFFERED": "1"]),
            // The script on standard input: `-`, and no script at all from a pipe.
            Case(arguments: ["-"], input: probeCode),
            Case(arguments: ["-", "a", "b"], input: probeCode),
            Case(arguments: [], input: probeCode),
            Case(arguments: ["-I", "-"], input: probeCode),
            Case(arguments: ["-OO"], input: probeCode),
            Case(arguments: ["-u", "--", "-"], input: probeCode),
            Case(arguments: [], input: "import sys\nprint(repr(sys.stdin.read()), __file__)\n"),
            Case(arguments: ["-"], input: "def f():\n    return 1 / 0\n\nf()\n"),
            Case(arguments: ["-"], input: "print('ok')\nx = (\n"),
            Case(arguments: ["-"], input: "import sys\nsys.exit(4)\n"),
            Case(arguments: [], input: ""),
            // -x: a first line for another system left out; line numbers stay the file's.
            Case(arguments: ["-x", "dos.py", "a"]), Case(arguments: ["-ux", "probe.py"]),
            // -i: the interactive interpreter after the script, on standard input (prompts on stderr from a pipe);
            // the script's SystemExit is shown, exit() in the session ends it.
            Case(arguments: ["-i", "probe.py"], input: "import sys\nprint('flags', sys.flags.inspect, sys.flags.interactive)\n"),
            Case(arguments: ["-i", "exits.py"], input: "print('still here', x)\n"),
            Case(arguments: ["-i", "exits.py"], input: "exit(7)\n"),
            Case(arguments: ["-i", "-c", "x = 5; 1 / 0"], input: "print(x)\n"),
            Case(arguments: ["-i", "-m", "exits"], input: "raise SystemExit('bye')\n"),
            Case(arguments: ["-i"], input: "print(2)\n"),
            Case(arguments: ["inspects.py"], input: "print('not read')\n"),
        ]
        return cases
    }

    /// The command lines the interpreter itself answers, run in the client's place.
    static let directCases: [Case] = [
        Case(arguments: ["-V"]), Case(arguments: ["--version"]), Case(arguments: ["-VV"]), Case(arguments: ["-h"]),
        Case(arguments: ["--help"]), Case(arguments: ["--help-env"]), Case(arguments: ["--help-xoptions"]),
        Case(arguments: ["-Z"]), Case(arguments: ["-uZ", "probe.py"]), Case(arguments: ["--bogus"]),
        Case(arguments: ["-c"]), Case(arguments: ["-m"]), Case(arguments: ["-W"]), Case(arguments: ["-X"]),
        Case(arguments: ["--check-hash-based-pycs"]),
    ]

    @Test func everyOptionAndModeBehavesAsUnderPython3() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("probe.py", Self.probe)
        try box.script("exits.py", "import sys\nx = 5\nprint('exiting')\nsys.exit(3)\n")
        try box.script("inspects.py", "import os\nos.environ['PYTHONINSPECT'] = '1'\nprint('set')\n")
        try box.script("dos.py", "@python -x %0 %* & goto :eof\nimport sys\nprint('second line', sys.argv)\n1 / 0\n")
        let served = Self.servedCases()
        for testCase in served {
            let input = Data(testCase.input.utf8)
            let expected = try box.python3(testCase.arguments, input: input, environment: testCase.environment)
            let actual = try box.jinn(testCase.arguments, input: input, environment: testCase.environment)
            #expect(actual == expected, "jinn \(testCase): \(actual)\npython3: \(expected)")
        }
        // Every one of them was a warm run of the daemon's.
        #expect(try eventually { try box.request(.status)["runs"]?.intValue == served.count })
        for testCase in Self.directCases {
            let expected = try box.python3(testCase.arguments)
            let actual = try box.jinn(testCase.arguments)
            #expect(actual == expected, "jinn \(testCase): \(actual)\npython3: \(expected)")
        }
        #expect(try box.request(.status)["runs"]?.intValue == served.count)
    }

    @Test func startUpOptionsGetZygotesOfTheirOwnAndMinusUDoesNot() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("hello.py", "print('hello')\n")
        for arguments in [["hello.py"], ["-u", "hello.py"], ["-O", "hello.py"], ["-OO", "hello.py"],
                          ["-O", "hello.py"], ["-E", "hello.py"]]
        {
            #expect(try box.jinn(arguments, environment: ["PYTHONPATH": "/a"]).output == "hello\n")
        }
        // -E ignores PYTHONPATH, so its zygote is not keyed by it.
        let keys = try #require(box.request(.status)["zygotes"]?.elements).compactMap { $0["environment"]?.stringValue }
        // What follows the executable's path in each key's description.
        let described = Set(keys.map { $0.split(separator: " ", maxSplits: 1).dropFirst().joined() })
        #expect(described == ["[LANG=C.UTF-8 PYTHONPATH=/a]", "-O [LANG=C.UTF-8 PYTHONPATH=/a]",
                              "-O -O [LANG=C.UTF-8 PYTHONPATH=/a]", "-E [LANG=C.UTF-8]"], "\(keys)")
    }

    @Test func theInterpretersAnswersMatchPython3sWords() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let unknown = try box.jinn(["-Z"])
        #expect(unknown.termination == .exited(2))
        #expect(unknown.errors.lowercased().contains("unknown option"))
        #expect(unknown.errors.contains("-Z"))
        let version = try box.jinn(["-V"])
        #expect(version.output.hasPrefix("Python 3."))
        let help = try box.jinn(["--help"])
        #expect(help.output.hasPrefix("usage: "))
        #expect(!help.output.contains("SUBCOMMANDS"))
        // python3's -v and -X importtime trace the interpreter's own start-up, whose addresses and times differ
        // from run to run: the interpreter runs directly and traces its start-up.
        for options in [["-v"], ["-vv"], ["-uv"], ["-X", "importtime"]] {
            let traced = try box.jinn(options + ["-c", "print('traced')"])
            #expect(traced.termination == .exited(0))
            #expect(traced.output == "traced\n")
            #expect(traced.errors.contains(options == ["-X", "importtime"] ? "import time:" : "import _frozen_importlib"),
                    "\(options): \(traced)")
            #expect(traced.errors.contains("encodings"), "\(options): \(traced)")
        }
        // Jinn's own diagnostics are --verbose, which python3 does not have.
        let verbose = try box.jinn(["--verbose", "-c", "print('quiet')"])
        #expect(verbose.output == "quiet\n" && !verbose.errors.contains("import _frozen_importlib"))
        #expect(verbose.errors.contains("jinn: run "), "\(verbose)")
        #expect(try eventually { try box.request(.status)["runs"]?.intValue == 1 })
    }
}
