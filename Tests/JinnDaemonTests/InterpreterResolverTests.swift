import Foundation
import Jinn
@testable import JinnDaemon
import Synchronization
import Testing

final class InterpreterResolverTests {
    private let root: String
    private let inspections = Inspections()

    init() throws {
        root = FileManager.default.temporaryDirectory.appending(path: "jinn-path-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// A resolver that describes interpreters instead of running them, and records each path it was asked about.
    private func resolver() -> InterpreterResolver {
        InterpreterResolver { [inspections] path in
            inspections.record(path)
            return Fixtures.interpreter(path)
        }
    }

    /// Makes `directory/name` under the root: an executable file, a file that is not executable, or a directory.
    @discardableResult
    private func make(_ directory: String, _ name: String, executable: Bool = true, isDirectory: Bool = false) throws
        -> String
    {
        let path = root + "/" + directory + "/" + name
        try FileManager.default.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        if isDirectory {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } else {
            try "#!/bin/sh\n".write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, executable ? 0o755 : 0o644)
        }
        return path
    }

    private func environment(path: String) -> [[UInt8]] {
        ["HOME=/home/ada", "PATH=\(path)"].map { Array($0.utf8) }
    }

    @Test func theConfiguredInterpreterBeatsTheCallersPath() throws {
        try make("bin", "python3")
        let found = try resolver().interpreter(for: environment(path: root + "/bin"), configured: "/opt/py/bin/python3")
        #expect(found.executable == "/opt/py/bin/python3")
        #expect(inspections.paths == ["/opt/py/bin/python3"])
    }

    @Test func python3IsLookedForOnTheCallersPathInOrder() throws {
        let first = try make("first", "python3")
        try make("second", "python3")
        let found = try resolver().interpreter(
            for: environment(path: "/nonexistent:\(root)/first:\(root)/second"), configured: nil)
        #expect(found.executable == first)
    }

    @Test func pythonIsTakenWhenNoDirectoryHasPython3() throws {
        let python = try make("one", "python")
        try make("two", "python-config")
        let found = try resolver().interpreter(for: environment(path: "\(root)/one:\(root)/two"), configured: nil)
        #expect(found.executable == python)
    }

    @Test func directoriesAndFilesThatCannotRunAreSkipped() throws {
        try make("a", "python3", isDirectory: true)
        try make("b", "python3", executable: false)
        let real = try make("c", "python3")
        let found = try resolver().interpreter(for: environment(path: "\(root)/a:\(root)/b:\(root)/c"),
                                               configured: nil)
        #expect(found.executable == real)
    }

    @Test func relativeDirectoriesAreTheCallersAsInAShell() throws {
        let relative = try make("relative", "python3")
        let later = try make("c", "python3")
        // From the caller's working directory, `relative` (and an empty entry, its current directory) name files.
        let found = try resolver().interpreter(for: environment(path: "relative:\(root)/c"),
                                               workingDirectory: root, configured: nil)
        #expect(found.executable == relative)
        let fromElsewhere = try resolver().interpreter(for: environment(path: "relative:\(root)/c"),
                                                       workingDirectory: "/nonexistent", configured: nil)
        #expect(fromElsewhere.executable == later)
    }

    @Test func withoutAPathTheDefaultSearchPathIsUsed() {
        #expect(InterpreterResolver.searchPath(in: []) == "/usr/local/bin:/usr/bin:/bin")
        #expect(InterpreterResolver.searchPath(in: [Array("XPATH=/x".utf8), Array("PATH=/y".utf8)]) == "/y")
    }

    @Test func noInterpreterOnThePathIsAnErrorNamingThePath() {
        #expect {
            try resolver().interpreter(for: environment(path: "/nonexistent:\(root)"), configured: nil)
        } throws: { error in
            "\(error)" == "no python3 on the caller's PATH (/nonexistent:\(root))"
        }
        #expect(inspections.paths.isEmpty)
    }

    @Test func eachInterpreterIsInspectedOnce() throws {
        let resolver = resolver()
        let python = try make("bin", "python3")
        for _ in 0..<3 { _ = try resolver.interpreter(for: environment(path: root + "/bin"), configured: nil) }
        _ = try resolver.interpreter(for: [], configured: "/opt/py/bin/python3")
        _ = try resolver.interpreter(for: [], configured: "/opt/py/bin/python3")
        #expect(inspections.paths == [python, "/opt/py/bin/python3"])
    }

    @Test func aFailedInspectionIsAnInterpreterErrorAndIsTriedAgain() {
        let attempts = Mutex(0)
        let resolver = InterpreterResolver { path throws(JinnError) in
            attempts.withLock { $0 += 1 }
            throw .interpreterNotExecutable(path: path)
        }
        for _ in 0..<2 {
            #expect {
                try resolver.interpreter(for: [], configured: "/opt/missing/python3")
            } throws: { error in
                guard case .interpreter(let message) = error as? DaemonError else { return false }
                return message.contains("/opt/missing/python3")
            }
        }
        #expect(attempts.withLock { $0 } == 2)
    }
}

/// The paths a resolver inspected, in order.
private final class Inspections: Sendable {
    private let list = Mutex<[String]>([])

    func record(_ path: String) {
        list.withLock { $0.append(path) }
    }

    var paths: [String] { list.withLock { $0 } }
}
