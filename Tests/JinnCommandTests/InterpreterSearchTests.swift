import Foundation
import Jinn
import JinnSystem
import Testing

/// `jinn --no-daemon` and the library pick the same interpreter from the same `PATH` (the daemon's choice is
/// checked by the script-run tests): one search, by the shell's rules.
@Suite(.serialized)
struct InterpreterSearchTests {
    /// `sys.executable` of the interpreter that `jinn --no-daemon` starts with `PATH` set to `searchPath` (unset
    /// when nil), from `directory`.
    private func clientChoice(searchPath: String?, in directory: URL) throws -> String {
        var environment = ["HOME": directory.path]  // no configuration file names an interpreter
        environment["PATH"] = searchPath
        let run = try CommandRunner.run(["--no-daemon", "-c", "import sys; print(sys.executable)"],
                                        directory: directory, environment: environment)
        #expect(run.status == 0, "\(run.standardError)")
        return run.standardOutput.trimmingCharacters(in: .newlines)
    }

    @Test func theClientAndTheLibraryPickTheSameInterpreter() async throws {
        let real = try await PythonInterpreter.system().executable
        let root = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let files = FileManager.default
        // A directory called python3, a python3 that does not execute, then two that do: the first of those wins.
        for name in ["directory", "unexecutable", "first", "second", "current"] {
            try files.createDirectory(at: root.appending(path: name), withIntermediateDirectories: true)
        }
        try files.createDirectory(at: root.appending(path: "directory/python3"), withIntermediateDirectories: true)
        try "".write(to: root.appending(path: "unexecutable/python3"), atomically: true, encoding: .utf8)
        for name in ["first", "second", "current"] {
            try files.createSymbolicLink(atPath: root.appending(path: "\(name)/python3").path, withDestinationPath: real)
        }
        let searchPath = ["directory", "unexecutable", "first", "second"].map { root.path + "/" + $0 }
            .joined(separator: ":")
        let library = try await PythonInterpreter.system(searchPath: searchPath).executable
        #expect(library == root.path + "/first/python3")
        #expect(try clientChoice(searchPath: searchPath, in: root) == library)

        // An empty entry is the current directory, for the client as for the search the library runs.
        let current = root.appending(path: "current")
        let withEmptyEntry = root.path + "/directory::" + root.path + "/second"
        #expect(try clientChoice(searchPath: withEmptyEntry, in: current) == current.path + "/python3")
        #expect(ExecutableSearch.find(["python3", "python"], in: withEmptyEntry, workingDirectory: current.path)
            == current.path + "/python3")

        // An unset PATH is the default search path.
        let fallback = try #require(ExecutableSearch.find(["python3", "python"], in: ExecutableSearch.defaultSearchPath))
        let choice = try clientChoice(searchPath: nil, in: root)
        #expect(choice == fallback || URL(fileURLWithPath: choice).resolvingSymlinksInPath().path
            == URL(fileURLWithPath: fallback).resolvingSymlinksInPath().path)
    }

    private func makeDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "jinn-search-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
