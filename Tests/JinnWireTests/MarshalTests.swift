import Foundation
import JinnWire
import Testing

/// The codec is checked against the real interpreter's `marshal` in both directions.
struct MarshalTests {
    static let python = "/usr/bin/env"

    /// Runs `python3 -c code` with `input` on stdin and returns stdout.
    static func runPython(_ code: String, input: [UInt8] = []) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["python3", "-S", "-c", code]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return Array(output)
    }

    static let samples: [PythonValue] = [
        .none, true, false, 0, -1, 2_147_483_647, -2_147_483_648, 2_147_483_648, .int(Int.max), .int(Int.min),
        .bigInt(BigInteger("123456789012345678901234567890123456789")!),
        .bigInt(BigInteger("-98765432109876543210987654321")!),
        1.5, -0.0, .float(.infinity), .float(-.infinity), "", "héllo ✓ 𝄞", .bytes([0, 1, 255]),
        [1, "two", [3.0]], .tuple([]), .tuple([1]), ["a": 1, "b": [true, .none]],
        .dict([.init(1, "int key"), .init(.tuple([1, 2]), "tuple key")]), .set([1, 2, 3]),
    ]

    @Test("Python reads what Swift writes", arguments: samples)
    func pythonReadsSwift(value: PythonValue) throws {
        let repr = try Self.runPython(
            "import sys, marshal; print(repr(marshal.loads(sys.stdin.buffer.read())), end='')",
            input: Marshal.encode(value))
        #expect(String(decoding: repr, as: UTF8.self) == value.description)
    }

    @Test("Swift reads what Python writes, references included", arguments: samples)
    func swiftReadsPython(value: PythonValue) throws {
        // Python builds the value from its repr, then marshals it with its own reference flags.
        let code = "import sys, marshal; from math import inf, nan; "
            + "sys.stdout.buffer.write(marshal.dumps(eval(sys.stdin.read())))"
        let bytes = try Self.runPython(code, input: Array(value.description.utf8))
        let decoded = try Marshal.decode(bytes)
        #expect(decoded == value)
    }

    @Test func sharedObjectsComeBackThroughReferences() throws {
        let bytes = try Self.runPython(
            "import sys, marshal; s = 'shared-string'; t = (s, s); "
                + "sys.stdout.buffer.write(marshal.dumps([t, t, s]))")
        let decoded = try Marshal.decode(bytes)
        let pair: PythonValue = .tuple(["shared-string", "shared-string"])
        #expect(decoded == [pair, pair, "shared-string"])
    }

    @Test func nanSurvivesTheRoundTrip() throws {
        let decoded = try Marshal.decode(Marshal.encode(.float(.nan)))
        #expect(decoded.doubleValue?.isNaN == true)
    }

    @Test func codeObjectsAreRefused() throws {
        let bytes = try Self.runPython("import sys, marshal; sys.stdout.buffer.write(marshal.dumps(compile('1', 'x', 'eval')))")
        #expect(throws: WireError.self) { try Marshal.decode(bytes) }
    }

    @Test func truncatedAndTrailingBytesAreRefused() throws {
        let encoded = Marshal.encode(["key": "value"])
        for length in 0..<encoded.count {
            #expect(throws: WireError.self) { try Marshal.decode(encoded.prefix(length)) }
        }
        #expect(throws: WireError.self) { try Marshal.decode(encoded + [0]) }
    }

    @Test func absurdCountsAreRefusedWithoutAllocating() throws {
        // A list claiming four billion elements in a five-byte message.
        #expect(throws: WireError.self) { try Marshal.decode([UInt8(ascii: "["), 0xff, 0xff, 0xff, 0xff]) }
        #expect(throws: WireError.self) { try Marshal.decode([UInt8(ascii: "s"), 0xff, 0xff, 0xff, 0x7f]) }
    }

    @Test func deepNestingIsRefused() throws {
        var bytes: [UInt8] = []
        for _ in 0..<(Marshal.maximumDepth + 10) { bytes += [UInt8(ascii: "["), 1, 0, 0, 0] }
        bytes.append(UInt8(ascii: "N"))
        #expect(throws: WireError.self) { try Marshal.decode(bytes) }
    }
}
