import Foundation
import Jinn
import JinnWire
import Testing

@Suite("PythonValueEncoder and PythonValueDecoder")
struct RPCCodecTests {
    struct Inner: Codable, Equatable {
        var flag: Bool
        var ratio: Float
    }

    struct Everything: Codable, Equatable {
        var text: String
        var count: Int
        var small: Int8
        var huge: UInt64
        var negative: Int64
        var ratio: Double
        var maybe: String?
        var absent: Int?
        var list: [Int]
        var nested: Inner
        var byName: [String: Int]
        var byNumber: [Int: String]
        var tags: Set<String>
        var data: Data
        var bytes: [UInt8]
        var date: Date
        var url: URL
        var choice: Choice
    }

    enum Choice: String, Codable { case first, second }

    static let sample = Everything(
        text: "héllo", count: 42, small: -8, huge: .max, negative: .min, ratio: 0.25, maybe: "yes", absent: nil,
        list: [1, 2, 3], nested: Inner(flag: true, ratio: 1.5), byName: ["a": 1], byNumber: [7: "seven"],
        tags: ["x"], data: Data([0, 255]), bytes: [1, 2], date: Date(timeIntervalSince1970: 1_700_000_000.5),
        url: URL(string: "https://example.org/a?b=c")!, choice: .second)

    @Test func encodesToThePythonShapes() throws {
        let value = try PythonValueEncoder().encode(Self.sample)
        #expect(value["text"] == "héllo")
        #expect(value["huge"] == .bigInt(BigInteger("18446744073709551615")!))
        #expect(value["negative"] == .int(Int(Int64.min)))
        #expect(value["maybe"] == "yes")
        #expect(value["list"] == [1, 2, 3])
        #expect(value["nested"] == ["flag": true, "ratio": 1.5])
        #expect(value["byNumber"] == .dict([.init(7, "seven")]))
        #expect(value["tags"] == .set(["x"]))
        #expect(value["data"] == .bytes([0, 255]))
        #expect(value["bytes"] == .bytes([1, 2]))
        #expect(value["date"] == .float(1_700_000_000.5))
        #expect(value["url"] == "https://example.org/a?b=c")
        #expect(value["choice"] == "second")
    }

    @Test func roundTrips() throws {
        let value = try PythonValueEncoder().encode(Self.sample)
        #expect(try PythonValueDecoder().decode(Everything.self, from: value) == Self.sample)
        // Through the wire format too.
        let decoded = try Marshal.decode(Marshal.encode(value))
        #expect(try PythonValueDecoder().decode(Everything.self, from: decoded) == Self.sample)
    }

    @Test func pythonValuesPassThrough() throws {
        let value: PythonValue = .tuple([1, .bytes([1]), .set([.none]), .float(.infinity)])
        #expect(try PythonValueEncoder().encode(value) == value)
        #expect(try PythonValueDecoder().decode(PythonValue.self, from: value) == value)
        #expect(try PythonValueEncoder().encode(["k": value]) == ["k": value])
    }

    @Test func decodesLeniencyWhereNothingIsLost() throws {
        let decoder = PythonValueDecoder()
        #expect(try decoder.decode(Double.self, from: 3) == 3.0)
        #expect(try decoder.decode([Int].self, from: .tuple([1, 2])) == [1, 2])
        #expect(try decoder.decode([Int].self, from: .set([5])) == [5])
        #expect(try decoder.decode(Set<Int>.self, from: [1, 1, 2]) == [1, 2])
        #expect(try decoder.decode(UInt64.self, from: .bigInt(BigInteger("18446744073709551615")!)) == .max)
        #expect(try decoder.decode(Int?.self, from: .none) == nil)
        #expect(try decoder.decode([Int: Bool].self, from: .dict([.init(1, true)])) == [1: true])
        #expect(try decoder.decode(Date.self, from: 10) == Date(timeIntervalSince1970: 10))
    }

    @Test func mismatchesNameThePathAndWhatWasFound() async {
        let decoder = PythonValueDecoder()
        #expect(throws: JinnError.self) { try decoder.decode(Int.self, from: 2.5) }
        #expect(throws: JinnError.self) { try decoder.decode(Int8.self, from: 300) }
        #expect(throws: JinnError.self) { try decoder.decode(UInt.self, from: -1) }
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try decoder.decode(Everything.self, from: ["text": 5])
            }
            if case .valueConversion(let message)? = error {
                #expect(message == "value.text: expected a str, found int 5")
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try decoder.decode([Inner].self, from: [["flag": true, "ratio": 1], ["flag": 1, "ratio": 1]])
            }
            if case .valueConversion(let message)? = error {
                #expect(message == "value[1].flag: expected a bool, found int 1")
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
        do {
            let error = await failure { () async throws(JinnError) in
                _ = try decoder.decode(Inner.self, from: ["flag": true])
            }
            if case .valueConversion(let message)? = error {
                #expect(message == "value: the dict has no key 'ratio'")
            } else {
                Issue.record("unexpected outcome: \(String(describing: error))")
            }
        }
    }
}
