import Foundation
import Jinn
import Testing

/// Bad shared memory: each error names what was wrong, and nothing stays mapped, open or linked.
@Suite struct SharedMemoryErrorTests {
    /// This process's descriptors and mappings of the segments these tests make, and their names in /dev/shm.
    /// (Only those: other tests' processes may still be closing descriptors of their own meanwhile.)
    static func resources() -> (descriptors: Int, mappings: Int, names: [String]) {
        let numbers = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        let descriptors = numbers.filter { number in
            let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + number)
            return target?.contains("/dev/shm/jinn-bad") == true
        }.count
        let maps = (try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? ""
        let mappings = maps.split(separator: "\n").filter { $0.contains("/dev/shm/jinn-bad") }.count
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? [])
            .filter { $0.contains("jinn-bad") }.sorted()
        return (descriptors, mappings, names)
    }

    /// A named segment of `size` bytes whose first bytes are `header`.
    static func segment(_ name: String, size: Int, header: [UInt8]) throws -> SharedMemory {
        let segment = try SharedMemory(creating: name, size: size)
        segment.withUnsafeMutableBytes { bytes in
            for (index, byte) in header.enumerated() { bytes[index] = byte }
        }
        return segment
    }

    /// A valid header of a float32 array of `shape`, with `edit` applied to its bytes.
    static func header(shape: [Int], edit: (inout [UInt8]) -> Void = { _ in }) throws -> [UInt8] {
        let array = try SharedArray<Float>(shape: shape)
        var bytes = array.memory.withUnsafeMutableBytes { Array($0.prefix(64 + 16 * shape.count)) }
        edit(&bytes)
        return bytes
    }

    static func expectError(_ expected: String, sourceLocation: SourceLocation = #_sourceLocation,
                            _ body: () async throws(JinnError) -> Void) async
    {
        let error = await failure(body, sourceLocation: sourceLocation)
        #expect(error?.localizedDescription == expected, sourceLocation: sourceLocation)
    }

    @Test func badNamesAndSizes() async throws {
        #expect(Self.resources().descriptors == 0)
        await Self.expectError("invalid shared-memory size: a segment needs at least 1 byte, not -5") {
            () async throws(JinnError) in _ = try SharedMemory(size: -5)
        }
        await Self.expectError("invalid shared-memory size: a segment needs at least 1 byte, not 0") {
            () async throws(JinnError) in _ = try SharedMemory(creating: "jinn-bad-zero", size: 0)
        }
        await Self.expectError("invalid shared-memory size: shape [2, -3] has a negative dimension, -3") {
            () async throws(JinnError) in _ = try SharedArray<Double>(shape: [2, -3])
        }
        await Self.expectError("invalid shared-memory size: shape [4611686018427387904, 4] of 8-byte elements overflows") {
            () async throws(JinnError) in _ = try SharedArray<Double>(shape: [1 << 62, 4], name: "jinn-bad-huge")
        }
        await Self.expectError("'jinn/bad' cannot name shared memory: use only letters, digits, '_', '-' and '.'") {
            () async throws(JinnError) in _ = try SharedMemory(creating: "jinn/bad", size: 1)
        }
        await Self.expectError("'jinn-bad-a-name-longer-than-thirty' cannot name shared memory: it is longer than 30 bytes, macOS's limit") {
            () async throws(JinnError) in _ = try SharedSemaphore(creating: "jinn-bad-a-name-longer-than-thirty")
        }
        await Self.expectError("no shared memory named 'jinn-bad-missing' exists; create it first, or check the name") {
            () async throws(JinnError) in _ = try SharedArray<Float>(opening: "jinn-bad-missing")
        }
        await Self.expectError("no shared memory named 'jinn-bad-missing' exists; create it first, or check the name") {
            () async throws(JinnError) in _ = try SharedLock(opening: "jinn-bad-missing")
        }
        do {
            let taken = try SharedMemory(creating: "jinn-bad-taken", size: 10)
            await Self.expectError("shared memory named 'jinn-bad-taken' exists already; open it instead, or unlink it first") {
                () async throws(JinnError) in _ = try SharedArray<Float>(shape: [1], name: "jinn-bad-taken")
            }
            #expect(taken.isOwner)
        }
        let after = Self.resources()
        #expect(after.descriptors == 0 && after.mappings == 0 && after.names.isEmpty)
    }

    @Test func headersThatDoNotMatch() async throws {
        #expect(Self.resources().descriptors == 0)
        let cases: [(String, Int, [UInt8], String)] = [
            ("jinn-bad-magic", 4096, Array("NOTANARRAY".utf8),
             "its magic is NOTANARR, expected JINNARRY"),
            ("jinn-bad-version", 4096, try Self.header(shape: [4]) { $0[8] = 9 },
             "its version is 9, expected 1"),
            ("jinn-bad-rank", 4096, try Self.header(shape: [4]) { $0[12] = 200 },
             "its rank is 200, expected at most 32, within the segment"),
            ("jinn-bad-dtype", 4096, try Self.header(shape: [4]) { $0[18] = UInt8(ascii: "8") },
             "its dtype is <f8, expected <f4"),
            ("jinn-bad-size", 4096, try Self.header(shape: [4]) { $0[32] = 99 },
             "its data size is 99 bytes, expected 16 bytes"),
            ("jinn-bad-small", 32, [], "its size is 32 bytes, expected at least 64 bytes for a header"),
        ]
        for (name, size, header, detail) in cases {
            let segment = try Self.segment(name, size: size, header: header)
            await Self.expectError("the array header of shared memory '\(name)' does not match: \(detail)") {
                () async throws(JinnError) in _ = try SharedArray<Float>(opening: name)
            }
            segment.close()
        }
        // A shape larger than the segment: a valid header of 1,000 floats in a segment of 4,096 bytes.
        let large = try Self.segment("jinn-bad-shape", size: 4096, header: try Self.header(shape: [1000]))
        await Self.expectError("the array header of shared memory 'jinn-bad-shape' describes shape [1000] (4128 bytes with the header), but the segment has only 4096 bytes") {
            () async throws(JinnError) in _ = try SharedArray<Float>(opening: "jinn-bad-shape")
        }
        large.close()
        let after = Self.resources()
        #expect(after.descriptors == 0 && after.mappings == 0 && after.names.isEmpty)
    }

    @Test func pythonNamesWhatIsWrongToo() async throws {
        let python = try await startServer(module: """
            import jinn
            def open_array(name):
                try:
                    jinn.shared_array(name)
                except Exception as error:
                    return "%s: %s" % (type(error).__name__, error)
            def create(name, shape):
                try:
                    jinn.create_shared_array(name, shape)
                except Exception as error:
                    return "%s: %s" % (type(error).__name__, error)
            """)
        defer { python.kill() }
        let bad = try Self.segment("jinn-bad-python", size: 4096, header: try Self.header(shape: [4]) { $0[8] = 2 })
        #expect(try await python.call("user.open_array", "jinn-bad-python", as: String.self)
            == "SharedArrayError: the array header of shared memory 'jinn-bad-python' does not match: its version is 2, expected 1")
        bad.close()
        let large = try Self.segment("jinn-bad-python", size: 4096, header: try Self.header(shape: [1000]))
        #expect(try await python.call("user.open_array", "jinn-bad-python", as: String.self)
            == "SharedArrayError: the array header of shared memory 'jinn-bad-python' describes shape (1000,) (4128 bytes with the header), but the segment has only 4096 bytes")
        large.close()
        #expect(try await python.call("user.open_array", "jinn-bad-missing", as: String.self)
            == "FileNotFoundError: no shared memory named 'jinn-bad-missing' exists; create it first, or check the name")
        #expect(try await python.call("user.create", "jinn-bad-negative", [2, -1], as: String.self)
            == "SharedArrayError: shape (2, -1) has a dimension that is not a non-negative int")
        #expect(try await python.call("user.create", "jinn-bad-overflow", [1 << 40, 1 << 40], as: String.self)
            == "SharedArrayError: shape (1099511627776, 1099511627776) of 8-byte elements is too large")
        #expect(Self.resources().names.isEmpty)
    }
}
