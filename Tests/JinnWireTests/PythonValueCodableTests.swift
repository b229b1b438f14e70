import Foundation
import JinnWire
import Testing

@Suite("PythonValue in other Codable formats")
struct PythonValueCodableTests {
    @Test func encodesToPortableJSON() throws {
        let value: PythonValue = [
            "none": nil, "flag": true, "number": 3, "ratio": 0.5, "text": "t", "list": [1, "a"],
            "tuple": .tuple([1]), "bytes": .bytes([1, 2]), "big": .bigInt(BigInteger("123456789012345678901234")!),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(value), as: UTF8.self)
        #expect(json == #"{"big":"123456789012345678901234","bytes":[1,2],"flag":true,"list":[1,"a"],"#
            + #""none":null,"number":3,"ratio":0.5,"text":"t","tuple":[1]}"#)
    }

    @Test func dictsWithOtherKeysBecomePairs() throws {
        let json = String(decoding: try JSONEncoder().encode(PythonValue.dict([.init(1, "one")])), as: UTF8.self)
        #expect(json == #"[[1,"one"]]"#)
    }

    @Test func decodesFromJSON() throws {
        let value = try JSONDecoder().decode(PythonValue.self, from: Data(#"{"a":[1,2.5,"x",null,true]}"#.utf8))
        #expect(value == ["a": [1, 2.5, "x", nil, true]])
    }
}
