import Foundation
import Testing

/// `jinn new PATH`: a script from the default template, a template directory or the configuration's templates.
@Suite(.serialized)
struct NewCommandTests {
    @Test("the default template: shebang, PEP 723 block, argparse main, executable, and it runs")
    func defaultTemplate() async throws {
        let box = try await ScriptDependencyTests.sandbox()
        defer { box.tearDown() }
        let path = box.scripts.path + "/my-tool 2.py"
        let made = try box.jinn(["new", path])
        #expect(made.termination == .exited(0) && made.output == "created \(path)\n", "\(made)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("#!/usr/bin/env jinn\n# /// script\n"))
        #expect(text.contains("\"\"\"my_tool_2: ") && text.contains("prog=\"my-tool 2.py\""))
        #expect(text.contains("def main() -> int:") && text.contains("if __name__ == \"__main__\":"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode.map { $0 & 0o111 == 0o111 } == true)
        // Run as a program: the kernel reads the shebang, env finds jinn on PATH.
        let run = try box.runProgram(path, ["a", "b"])
        #expect(run.termination == .exited(0) && run.output == "a\nb\n", "\(run)")
        let again = try box.jinn(["new", path])
        #expect(again.termination == .exited(1) && again.errors.contains("exists; use --force to replace it"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test("a template directory, or the configuration's templates folder, replaces the default")
    func templates() async throws {
        let box = try await ScriptDependencyTests.sandbox()
        defer { box.tearDown() }
        let custom = box.root.path + "/custom"
        try FileManager.default.createDirectory(atPath: custom, withIntermediateDirectories: true)
        try "#!/usr/bin/env jinn\n# {{ name }} in {{file}}\nprint('{{name}}')\n"
            .write(toFile: custom + "/script.py", atomically: true, encoding: .utf8)
        let path = box.scripts.path + "/class.py"
        let made = try box.jinn(["new", "--template", custom, path])
        #expect(made.termination == .exited(0), "\(made)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "#!/usr/bin/env jinn\n# class_ in class.py\nprint('class_')\n")
        // Beside config.toml.
        let folder = box.root.path + "/templates"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "print('from the configuration: {{name}}')\n".write(toFile: folder + "/script.py", atomically: true,
                                                              encoding: .utf8)
        let forced = try box.jinn(["new", "--force", path])
        #expect(forced.termination == .exited(0), "\(forced)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "print('from the configuration: class_')\n")
        try "x = {{nmae}}\n".write(toFile: folder + "/script.py", atomically: true, encoding: .utf8)
        let typo = try box.jinn(["new", box.scripts.path + "/other.py"])
        #expect(typo.termination == .exited(1))
        #expect(typo.errors.contains("\(folder)/script.py, line 1: unknown placeholder {{nmae}}"), "\(typo)")
        #expect(!FileManager.default.fileExists(atPath: box.scripts.path + "/other.py"))
    }
}

extension ScriptRunnerSandbox {
    /// Runs a program file directly, in the sandbox's environment.
    func runProgram(_ path: String, _ arguments: [String]) throws -> Outcome {
        let process = try Spawned(path, arguments, environment: environment, directory: scripts.path)
        return process.wait()
    }
}
