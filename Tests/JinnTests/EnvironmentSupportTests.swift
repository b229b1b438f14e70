import Foundation
import Testing
@testable import Jinn

@Suite("Environment building blocks")
struct EnvironmentSupportTests {
    @Test("conda and micromamba command lines")
    func condaCommands() {
        let micromamba = CondaBackend(executable: "/opt/bin/micromamba", flavor: .micromamba)
        #expect(micromamba.creationArguments(prefix: "/e", packages: ["python=3.11", "numpy"]) == [
            "create", "--yes", "--prefix", "/e", "--channel", "conda-forge", "python=3.11", "numpy",
        ])
        let conda = CondaBackend(executable: "/opt/bin/conda", flavor: .conda)
        #expect(conda.creationArguments(prefix: "/e", packages: ["python=3.12"]) == [
            "create", "--yes", "--prefix", "/e", "python=3.12",
        ])
        #expect(conda.installationArguments(prefix: "/e", packages: ["scipy"], channels: ["defaults", "bioconda"]) == [
            "install", "--yes", "--prefix", "/e", "--channel", "defaults", "--channel", "bioconda", "scipy",
        ])
    }

    @Test("without conda or micromamba on PATH the error says what is missing and what to do")
    func condaAbsent() async throws {
        let caught = await environmentError {
            _ = try CondaBackend.find(searchPath: "/nonexistent:/usr/bin")
        }
        if case .toolNotFound(let tool, let hint)? = caught {
            #expect(tool == "micromamba or conda")
            #expect(hint.contains("PATH"))
        } else {
            Issue.record("expected .toolNotFound, got \(String(describing: caught))")
        }
        #expect(throws: JinnError.self) { try CondaBackend.find(.conda, searchPath: "") }
    }

    @Test("a file lock is exclusive between holders and released on demand")
    func fileLock() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/l.lock"
            let first = try await FileLock.acquire(path)
            // A second open file description conflicts even within one process, as another process would.
            await #expect(throws: JinnError.self) {
                _ = try await FileLock.acquire(path, timeout: .milliseconds(100))
            }
            let waited = EventLog()
            async let second = FileLock.acquire(path, timeout: .seconds(30)) {
                waited.handler(InstallProgress(.waiting, detail: ""))
            }
            try await Task.sleep(for: .milliseconds(100))
            first.release()
            let acquired = try await second
            #expect(waited.events.count == 1)
            acquired.release()
        }
    }

    @Test("relocation rewrites the staging path in text files only")
    func relocation() async throws {
        try await withTemporaryDirectory { directory in
            let staging = directory + "/.env.jinn-tmp-1"
            try FileManager.default.createDirectory(atPath: staging + "/bin", withIntermediateDirectories: true)
            try "#!\(staging)/bin/python\nprint(1)\n".write(toFile: staging + "/bin/tool", atomically: true, encoding: .utf8)
            chmod(staging + "/bin/tool", 0o755)
            let binary = Data([0x7f, 0x45, 0x4c, 0x46, 0]) + Data(staging.utf8)
            _ = FileManager.default.createFile(atPath: staging + "/bin/native", contents: binary)
            try "home = /usr/bin\ncommand = python -m venv \(staging)\n".write(
                toFile: staging + "/pyvenv.cfg", atomically: true, encoding: .utf8)
            try EnvironmentRelocation.rewrite(in: staging, from: staging, to: directory + "/env")
            #expect(try String(contentsOfFile: staging + "/bin/tool", encoding: .utf8)
                    == "#!\(directory)/env/bin/python\nprint(1)\n")
            #expect(access(staging + "/bin/tool", X_OK) == 0)
            #expect(FileManager.default.contents(atPath: staging + "/bin/native") == binary)
            #expect(try String(contentsOfFile: staging + "/pyvenv.cfg", encoding: .utf8).contains("venv \(directory)/env\n"))
        }
    }
}
