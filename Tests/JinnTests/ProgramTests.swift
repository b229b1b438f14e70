import Foundation
import Jinn
import JinnWire
import Testing

/// Programs held in memory import like files on disk.
struct ProgramTests {
    @Test func modulesAndNestedPackagesImportWithFileLikeAttributes() async throws {
        var program = PythonProgram(main: """
            import jinn, importlib, pkg
            import pkg.sub.leaf as leaf
            from pkg import helper
            jinn.send([leaf.__file__, leaf.__package__, leaf.__spec__.name, leaf.__name__,
                       pkg.__path__, pkg.sub.__path__, helper.VALUE, leaf.relative(),
                       importlib.import_module("pkg.helper") is helper, __name__, __file__])
            """)
        try program.add(PythonModule(name: "pkg", source: "", isPackage: true))
        try program.add(PythonModule(name: "pkg.helper", source: "VALUE = 41\n"))
        try program.add(PythonModule(name: "pkg.sub", source: "", isPackage: true))
        try program.add(PythonModule(name: "pkg.sub.leaf", source: """
            from ..helper import VALUE
            from . import sibling
            def relative():
                return VALUE + sibling.ONE
            """))
        try program.add(PythonModule(name: "pkg.sub.sibling", source: "ONE = 1\n"))
        let outcome = try await runToEnd(program)
        #expect(outcome.termination == .exited(0), "\(outcome.standardError)")
        #expect(outcome.messages == [[
            "<jinn>/pkg/sub/leaf.py", "pkg.sub", "pkg.sub.leaf", "pkg.sub.leaf",
            ["<jinn>/pkg"], ["<jinn>/pkg/sub"], 41, 42, true, "__main__", "<jinn>/__main__.py",
        ]])
    }

    @Test func moduleBodiesRunOnceAndReloadRunsThemAgain() async throws {
        var program = PythonProgram(main: """
            import jinn, importlib, counter
            import counter as again
            from counter import runs
            first = counter.runs[:]
            importlib.reload(counter)
            jinn.send([first, counter.runs])
            """)
        try program.add(PythonModule(name: "counter", source: """
            import builtins
            builtins.__dict__.setdefault("_jinn_test_runs", []).append("ran")
            runs = builtins._jinn_test_runs
            """))
        let outcome = try await runToEnd(program)
        #expect(outcome.messages == [[["ran"], ["ran", "ran"]]], "\(outcome.standardError)")
    }

    @Test func aDirectoryTreeLoadsAsPackagesWithOrWithoutInitFiles() async throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try writeFiles([
            "analysis/__init__.py": "NAME = 'analysis'\n",
            "analysis/stats.py": "def mean(xs):\n    return sum(xs) / len(xs)\n",
            "analysis/plain/shapes.py": "SIDES = {'triangle': 3}\n",  // no __init__.py
            "analysis/__pycache__/junk.py": "raise SystemExit('never imported')\n",
            "analysis/not-a-module.py": "raise SystemExit('never imported')\n",
        ], under: root)
        var program = PythonProgram(main: """
            import jinn, analysis.stats
            from analysis.plain.shapes import SIDES
            jinn.send([analysis.NAME, analysis.stats.mean([1, 2, 3]), SIDES["triangle"]])
            """)
        try program.addPackage(at: root.appending(path: "analysis"))
        #expect(!program.modules.contains { $0.name.contains("pycache") || $0.name.contains("-") })
        let outcome = try await runToEnd(program)
        #expect(outcome.messages == [["analysis", 2.0, 3]], "\(outcome.standardError)")
    }

    @Test func aBundledResourcePackageImports() async throws {
        var program = PythonProgram(main: "import jinn\nfrom resourcepkg.inner import tool\njinn.send(tool.describe())\n")
        try program.addPackage(fromResource: "resourcepkg", in: .module)
        let outcome = try await runToEnd(program)
        #expect(outcome.messages == ["tool from bundled resource"], "\(outcome.standardError)")
    }

    @Test func valuesArgumentsEnvironmentAndWorkingDirectoryReachPython() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var program = PythonProgram(main: """
            import jinn, os, sys
            jinn.send([jinn.text, jinn.count, jinn.ratio, jinn.flag, jinn.items, jinn.table, jinn.huge,
                       jinn.values["count"], sys.argv, os.environ.get("JINN_TEST_MODE"),
                       "HOME" in os.environ, os.getcwd()])
            """)
        program.values = [
            "text": "héllo", "count": 3, "ratio": 0.25, "flag": true, "items": [1, "two"],
            "table": ["a": [1, 2]], "huge": .bigInt(BigInteger("123456789012345678901234567890")!),
        ]
        program.arguments = ["--alpha", "beta"]
        program.programName = "tool"
        program.environment = ["JINN_TEST_MODE": "on", "PATH": "/usr/bin:/bin"]
        program.workingDirectory = directory.path
        let outcome = try await runToEnd(program)
        let resolved = directory.resolvingSymlinksInPath().path
        #expect(outcome.messages == [[
            "héllo", 3, 0.25, true, [1, "two"], ["a": [1, 2]],
            .bigInt(BigInteger("123456789012345678901234567890")!), 3, ["tool", "--alpha", "beta"], "on", false,
            .string(resolved),
        ]], "\(outcome.standardError)")
    }

    @Test func scriptsRunAsPythonRunsThem() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try writeFiles([
            "tool.py": "import sys, jinn, neighbour\njinn.send([__file__, sys.argv, neighbour.X, __name__])\n",
            "neighbour.py": "X = 'beside the script'\n",
        ], under: directory)
        let path = directory.appending(path: "tool.py").path
        let outcome = try await runToEnd(.script(path, arguments: ["one"]))
        #expect(outcome.messages == [[.string(path), [.string(path), "one"], "beside the script", "__main__"]],
                "\(outcome.standardError)")
    }

    @Test func codeRunsAsDashC() async throws {
        let outcome = try await runToEnd(.code("import sys, jinn; jinn.send(sys.argv); print('out')", arguments: ["x"]))
        #expect(outcome.messages == [["-c", "x"]])
        #expect(outcome.standardOutput == "out\n")
    }

    @Test func aDirectoryProgramRunsItsMain() async throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try writeFiles([
            "__main__.py": "import jinn, util\njinn.send(util.answer())\n",
            "util.py": "def answer():\n    return 42\n",
        ], under: root)
        let outcome = try await runToEnd(try PythonProgram(directory: root))
        #expect(outcome.messages == [42], "\(outcome.standardError)")
    }

    @Test func nothingIsWrittenToDisk() async throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try writeFiles(["pkg/__init__.py": "", "pkg/mod.py": "X = 1\n"], under: root)
        var program = PythonProgram(main: "import pkg.mod, sys\nprint(sys.dont_write_bytecode)\n")
        try program.addPackage(at: root.appending(path: "pkg"))
        program.workingDirectory = root.path
        program.environment.removeValue(forKey: "PYTHONDONTWRITEBYTECODE")
        let before = try FileManager.default.subpathsOfDirectory(atPath: root.path).sorted()
        let outcome = try await runToEnd(program)
        #expect(outcome.standardOutput == "False\n")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: root.path).sorted() == before)
    }

    @Test func tracebacksShowEmbeddedSourceLines() async throws {
        var program = PythonProgram(main: "import jinn, traceback, deep\ntry:\n    deep.fail()\nexcept Exception:\n    jinn.send(traceback.format_exc())\n")
        try program.add(PythonModule(name: "deep", source: "def fail():\n    value = {}\n    return value['missing key']\n"))
        let outcome = try await runToEnd(program)
        let text = outcome.messages.first?.stringValue ?? ""
        #expect(text.contains("File \"<jinn>/deep.py\", line 3, in fail"))
        #expect(text.contains("return value['missing key']"))
        #expect(text.contains("deep.fail()"))
    }

    @Test func inspectAndLinecacheSeeTheSource() async throws {
        var program = PythonProgram(main: "import jinn, inspect, linecache, shapes\njinn.send([inspect.getsource(shapes.area), linecache.getline(shapes.__file__, 1)])\n")
        try program.add(PythonModule(name: "shapes", source: "def area(w, h):\n    return w * h\n"))
        let outcome = try await runToEnd(program)
        #expect(outcome.messages == [["def area(w, h):\n    return w * h\n", "def area(w, h):\n"]], "\(outcome.standardError)")
    }
}

/// Programs that cannot be right are refused before anything is launched.
struct ProgramValidationTests {
    @Test func duplicateModuleNamesAreRefused() throws {
        var program = PythonProgram(main: "")
        try program.add(PythonModule(name: "tools", source: ""))
        #expect {
            try program.add(PythonModule(name: "tools", source: ""))
        } throws: { error in
            "\(error)".contains("'tools'")
        }
    }

    @Test(arguments: ["", "1abc", "a..b", "a.", "class", "my-module", "a.b c", ".rel"])
    func invalidModuleNamesAreRefused(name: String) throws {
        var program = PythonProgram(main: "")
        #expect {
            try program.add(PythonModule(name: name, source: ""))
        } throws: { error in
            guard case JinnError.invalidProgram(let reason) = error else { return false }
            return reason.contains("'\(name)'")
        }
    }

    @Test func jinnsOwnPackageNameIsRefused() throws {
        var program = PythonProgram(main: "")
        #expect(throws: JinnError.self) { try program.add(PythonModule(name: "jinn.extra", source: "")) }
    }

    @Test func sourceThatIsNotUTF8IsRefusedNamingTheModule() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appending(path: "latin.py")
        try Data([0x23, 0x20, 0xe9, 0x0a]).write(to: file)  // "# é" in Latin-1
        #expect {
            _ = try PythonModule(name: "latin", contentsOf: file)
        } throws: { error in
            "\(error)".contains("'latin'") && "\(error)".contains("UTF-8")
        }
    }

    @Test func invalidOrReservedValueNamesAreRefusedBeforeLaunch() async throws {
        for name in ["not valid", "_private", "send", "values"] {
            var program = PythonProgram(main: "")
            program.values[name] = 1
            await #expect {
                _ = try await PythonProcess.start(program)
            } throws: { error in
                guard case JinnError.invalidProgram(let reason) = error else { return false }
                return reason.contains("'\(name)'")
            }
        }
    }
}
