import Foundation
import Jinn
import Testing

/// Who unlinks named shared memory, whichever side dies and however.
@Suite struct SharedMemoryLifetimeTests {
    /// The files of `name`'s array, semaphore and event in /dev/shm, where glibc keeps them.
    static func files(_ name: String) -> [String] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? []
        return all.filter { [name, "sem.\(name)-s", "sem.\(name)-e", "sem.\(name)-e.l"].contains($0) }.sorted()
    }

    /// The owner program, started; returns it and the pid of its Python child.
    static func startOwner(_ name: String) throws -> (Process, Pipe, Int32) {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [executable, executable.deletingLastPathComponent()].map {
            $0.appending(path: "jinn-shared-memory-owner")
        }
        let owner = Process()
        owner.executableURL = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
            ?? candidates[0]
        owner.arguments = [name]
        let input = Pipe(), output = Pipe()
        owner.standardInput = input
        owner.standardOutput = output
        try owner.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        let pid = Int32(text.split(separator: " ").last ?? "") ?? -1
        #expect(text.hasPrefix("ready") && pid > 0, "the owner said \(text)")
        return (owner, input, pid)
    }

    @Test func aKilledSwiftOwnerLeavesNothing() async throws {
        let name = "jinn-kill-swift-\(getpid())"
        let (owner, _, python) = try Self.startOwner(name)
        #expect(Self.files(name).count == 4)
        kill(owner.processIdentifier, SIGKILL)
        owner.waitUntilExit()
        #expect(await eventually { Self.files(name).isEmpty }, "left: \(Self.files(name))")
        #expect(await eventually { kill(python, 0) != 0 })  // its Python child went with it
    }

    @Test func aKilledPythonSideLeavesTheOwnersNamesUntilTheOwnerEnds() async throws {
        let name = "jinn-kill-python-\(getpid())"
        let (owner, input, python) = try Self.startOwner(name)
        kill(python, SIGKILL)
        #expect(await eventually { kill(python, 0) != 0 })
        // Python only opened them: nothing of its own, no resource tracker, unlinks them.
        #expect(Self.files(name).count == 4)
        let array = try SharedArray<Double>(opening: name)
        #expect(array[7] == 7)
        try input.fileHandleForWriting.close()
        owner.waitUntilExit()
        #expect(owner.terminationStatus == 0)
        #expect(await eventually { Self.files(name).isEmpty }, "left: \(Self.files(name))")
    }

    @Test func whatPythonOnlyOpenedSurvivesItsExit() async throws {
        let name = "jinn-opened-\(getpid())"
        let array = try SharedArray<Float>(shape: [3], name: name)
        let process = try await PythonProcess.start(PythonProgram(main: """
            import jinn
            a = jinn.shared_array(\(String(reflecting: name)))
            a[0] = 1.5
            segment = jinn.open_shared_memory(\(String(reflecting: name)))
            print(segment.size)
            del a
            segment.close()
            """))
        let size = await process.standardOutput.text()
        try await process.waitForSuccess()
        #expect(size == "\(array.memory.size)\n")
        #expect(Self.files(name) == [name])
        #expect(array[0] == 1.5)
    }

    @Test func whatPythonCreatedGoesWhenPythonIsKilled() async throws {
        let name = "jinn-py-owned-\(getpid())"
        let python = try await startServer(module: """
            import jinn
            def make(name):
                global kept
                kept = jinn.create_shared_array(name, 4, "float32")
                kept[:] = 3
                return True
            """)
        #expect(try await python.call("user.make", name, as: Bool.self))
        let array = try SharedArray<Float>(opening: name)
        python.kill()
        _ = await python.wait()
        #expect(await eventually { Self.files(name).isEmpty })
        #expect(array[3] == 3)  // this process's mapping outlives the name
    }

    @Test func anOwnerThatClosesUnlinksAtOnce() async throws {
        let name = "jinn-closed-\(getpid())"
        let segment = try SharedMemory(creating: name, size: 100)
        let opened = try SharedMemory(opening: name)
        opened.close()
        #expect(Self.files(name) == [name])  // closing what one only opened unlinks nothing
        segment.close()
        #expect(Self.files(name).isEmpty)
        segment.withUnsafeMutableBytes { $0[0] = 1 }  // the mapping stays while the segment lives
        let error = await failure { () async throws(JinnError) in _ = try SharedMemory(opening: name) }
        #expect(error?.localizedDescription == "no shared memory named '\(name)' exists; create it first, or check the name")
    }
}
