import CJinn
import Foundation
import Jinn
import JinnWire
import Testing

/// Messages of 64 KiB and more travel through two shared-memory rings beside the channel's pipes.
@Suite("Large messages through shared memory", .serialized)
struct RPCSharedMemoryTests {
    /// Bytes that differ at every position and from one value to the next.
    private func pattern(_ count: Int, seed: Int) -> Data {
        Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8 &+ seed) })
    }

    /// The shared-memory files this process has mapped, by inode (other tests' processes may come and go).
    private func sharedFiles(of process: String = "self") -> Set<Substring> {
        // Read to the end: /proc files report no size.
        let handle = FileHandle(forReadingAtPath: "/proc/\(process)/maps")
        defer { try? handle?.close() }
        let maps = String(decoding: (try? handle?.readToEnd()) ?? Data(), as: UTF8.self)
        return Set(maps.split(separator: "\n").filter { $0.contains("memfd:jinn-channel") }.compactMap {
            $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).first
        })
    }

    @Test func largeValuesCrossBothWaysIntact() async throws {
        let python = try await startServer([fixtureModule])
        // Under the threshold, at it, in the ring, at half the ring (its largest frame) and beyond it (the pipe).
        for (index, size) in [(64 << 10) - 200, 64 << 10, 300_000, 1 << 20, (4 << 20) - 100, 5 << 20].enumerated() {
            let data = pattern(size, seed: index)
            #expect(try await python.call("fixture.echo", data) as Data == data, "\(size) bytes")
            #expect(try await python.call("fixture.echo", [UInt8](data)) as [UInt8] == [UInt8](data))
        }
        // A large value inside other values, and one made in Python.
        let nested: [String: PythonValue] = ["name": "block", "data": .bytes([UInt8](pattern(200_000, seed: 9))),
                                             "list": .list([1, 2, .bytes([UInt8](pattern(70_000, seed: 3)))])]
        #expect(try await python.call("fixture.echo", PythonValue.dict(nested.map { .init(.string($0.key), $0.value) }))
                == .dict(nested.map { .init(.string($0.key), $0.value) }))
        #expect(try await python.call("fixture.big", 3 << 20) as Data == Data(repeating: UInt8(ascii: "x"), count: 3 << 20))
        await python.shutdown()
    }

    @Test func manyLargeCallsAtOnceFillTheRingsAndTakeThePipes() async throws {
        let python = try await startServer([fixtureModule])
        // 24 MiB in flight each way: more than a ring holds.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<24 {
                group.addTask {
                    let data = self.pattern(1 << 20, seed: index)
                    let echoed: Data = try await python.call("fixture.echo", data)
                    #expect(echoed == data, "call \(index)")
                }
            }
            try await group.waitForAll()
        }
        #expect(try await python.call("fixture.add", 1, 2) as Int == 3)
        await python.shutdown()
    }

    @Test func withoutSharedMemoryEverythingTakesThePipes() async throws {
        var options = LaunchOptions()
        options.sharedMemorySize = 0
        options.standardOutput = .null
        options.standardError = .null
        let python = try await startServer([fixtureModule], options: options)
        // Nothing shared with its Python process (tests running meanwhile map their own).
        #expect(sharedFiles().intersection(sharedFiles(of: String(python.processIdentifier))).isEmpty)
        let data = pattern(1 << 20, seed: 1)
        #expect(try await python.call("fixture.echo", data) as Data == data)
        await python.shutdown()
    }

    @Test func theSharedMemoryGoesAwayWithItsProcess() async throws {
        let descriptors = try openDescriptorCount()
        for index in 0..<20 {
            let before = sharedFiles()
            var file: Substring?
            do {
                let python = try await startServer([fixtureModule])
                // The one this process shares with its Python process: tests running meanwhile map their own.
                let added = sharedFiles().subtracting(before)
                    .intersection(sharedFiles(of: String(python.processIdentifier)))
                #expect(added.count == 1)
                file = added.first
                let data = pattern(100_000, seed: index)
                #expect(try await python.call("fixture.echo", data) as Data == data)
                await python.shutdown()
            }
            // Unmapped once the process and its channel are gone.
            if let file { try await waitUntil { !sharedFiles().contains(file) } }
        }
        try await waitUntil { try openDescriptorCount() <= descriptors }
    }

    @Test func aNoticeOutsideTheRingIsAProtocolError() async throws {
        let python = try await startServer([fixtureModule])
        let error = await failure { () async throws(JinnError) in
            _ = try await python.call("fixture.write_stray_notice")
        }
        if case .protocolViolation(let message)? = error {
            #expect(message.contains("shared memory"), "\(message)")
        } else {
            Issue.record("unexpected outcome: \(String(describing: error))")
        }
        await python.wait()
    }
}
