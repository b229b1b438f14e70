/// `PythonValue` is `Codable`, so it can stand wherever a `Codable` type is expected: as a call's argument or
/// result, as a field of your own types, or in formats such as JSON.
///
/// Jinn's own `PythonValueEncoder` and `PythonValueDecoder` pass it through unchanged. Other coders see the
/// nearest portable shape: `bytes` as an array of numbers, a tuple or set as an array, an `int` too large for `Int`
/// as its decimal text, and a `dict` as an object when every key is a `str` (as an array of `[key, value]` pairs
/// otherwise). Decoding from another format gives `None`, `bool`, `int`, `float`, `str`, `list` and `dict` with
/// `str` keys.
extension PythonValue: Codable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .none:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .int(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .bigInt(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value.description)
        case .float(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .bytes(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .list(let elements), .tuple(let elements), .set(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements { try container.encode(element) }
        case .dict(let items):
            if items.allSatisfy({ $0.key.stringValue != nil }) {
                var container = encoder.container(keyedBy: StringKey.self)
                for item in items { try container.encode(item.value, forKey: StringKey(item.key.stringValue!)) }
            } else {
                var container = encoder.unkeyedContainer()
                for item in items { try container.encode([item.key, item.value]) }
            }
        }
    }

    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.singleValueContainer() {
            if container.decodeNil() {
                self = .none
                return
            }
            if let value = try? container.decode(Bool.self) {
                self = .bool(value)
                return
            }
            if let value = try? container.decode(Int.self) {
                self = .int(value)
                return
            }
            if let value = try? container.decode(Double.self) {
                self = .float(value)
                return
            }
            if let value = try? container.decode(String.self) {
                self = .string(value)
                return
            }
        }
        if var container = try? decoder.unkeyedContainer() {
            var elements: [PythonValue] = []
            while !container.isAtEnd { elements.append(try container.decode(PythonValue.self)) }
            self = .list(elements)
            return
        }
        let container = try decoder.container(keyedBy: StringKey.self)
        self = .dict(try container.allKeys.map { key in
            Item(.string(key.stringValue), try container.decode(PythonValue.self, forKey: key))
        })
    }

    private struct StringKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
