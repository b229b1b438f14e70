import Foundation
import Jinn
import Testing

struct InterpreterTests {
    @Test func systemInterpreterIsResolvedToItsRealExecutable() async throws {
        let python = try await PythonInterpreter.system()
        #expect(python.version >= PythonVersion.minimumSupported)
        #expect(python.implementation == "cpython")
        #expect(python.platform == "linux")
        #expect(!python.sitePackages.isEmpty)
        // The executable is a real binary, not a shell shim: it starts with the ELF magic number.
        let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: python.executable)).read(upToCount: 4)
        #expect(head == Data([0x7f, 0x45, 0x4c, 0x46]))
    }

    @Test func explicitPathAndShimAgree() async throws {
        let python = try await PythonInterpreter.system()
        let direct = try await PythonInterpreter(path: python.executable)
        #expect(direct.executable == python.executable)
        #expect(direct.version == python.version)
    }

    @Test func virtualEnvironmentIsRecognised() async throws {
        let python = try await PythonInterpreter.system()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let venv = directory.appending(path: "venv").path
        let create = Process()
        create.executableURL = URL(fileURLWithPath: python.executable)
        create.arguments = ["-m", "venv", "--without-pip", venv]
        try create.run()
        create.waitUntilExit()
        #expect(create.terminationStatus == 0)

        let inside = try await PythonInterpreter(virtualEnvironment: venv)
        #expect(inside.isVirtualEnvironment)
        #expect(inside.prefix.hasSuffix("/venv"))
        #expect(inside.basePrefix == python.basePrefix)
        #expect(inside.sitePackages.contains { $0.hasPrefix(inside.prefix) })
        #expect(!python.isVirtualEnvironment)
    }

    @Test func emptySearchPathNamesWhatWasSearched() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        await #expect {
            _ = try await PythonInterpreter.system(searchPath: directory.path)
        } throws: { error in
            guard case JinnError.interpreterNotFound(let searched) = error else { return false }
            return searched == [directory.path] && "\(error)".contains("python3")
        }
    }

    @Test func nonExecutablePathIsRefusedByName() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appending(path: "python3")
        try "not a program".write(to: file, atomically: true, encoding: .utf8)
        for path in [file.path, directory.appending(path: "missing").path, directory.path] {
            await #expect {
                _ = try await PythonInterpreter(path: path)
            } throws: { error in
                guard case JinnError.interpreterNotExecutable(let named) = error else { return false }
                return named == path && "\(error)".contains(path)
            }
        }
    }

    /// No interpreter older than 3.9 can be installed here, so the real interpreter is started with
    /// `sys.version_info` replaced by 3.8.10 before Jinn's inspection code runs.
    @Test func olderPythonIsRefusedWithItsVersion() async throws {
        let python = try await PythonInterpreter.system()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let wrapper = directory.appending(path: "python3.8")
        let script = """
            #!/bin/sh
            # Runs the code given on standard input (`-S -`) with the version information of Python 3.8.10.
            shift 2
            exec '\(python.executable)' -S -c '
            import sys
            class V(tuple):
                major, minor, micro, releaselevel = 3, 8, 10, "final"
            sys.version_info = V((3, 8, 10, "final", 0))
            exec(sys.stdin.read())' "$@"
            """
        try script.write(to: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper.path, 0o755)
        await #expect {
            _ = try await PythonInterpreter(path: wrapper.path)
        } throws: { error in
            guard case JinnError.unsupportedPython(let path, let version) = error else { return false }
            return path == wrapper.path && version == "3.8.10" && "\(error)".contains("3.9")
        }
    }
}
