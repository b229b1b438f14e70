import Foundation
import JinnWire

/// Decodes ``PythonValue``s into `Decodable` Swift values: the results of calls into Python, and the requests of
/// Swift handlers that Python calls.
///
/// The mapping is the one of ``PythonValueEncoder``, read backwards, and it is strict where a silent conversion
/// could lose information: an `int` decodes into any integer type it fits, and into `Double`; a `float` never
/// decodes into an integer type. `list`, `tuple` and `set` all decode into arrays and sets; `bytes` into `Data`
/// or `[UInt8]`; a `dict` into a struct (by `str` key) or a `Dictionary` (keys of any decodable type). `Date`
/// reads seconds since 1970.
///
/// ```swift
/// struct Point: Codable { var x: Double; var y: Double }
/// let point = try PythonValueDecoder().decode(Point.self, from: ["x": 1, "y": 2.5])
/// ```
public struct PythonValueDecoder: Sendable {
    /// Values the `init(from:)` initializers of your types can read from `decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Creates a decoder.
    public init() {}

    /// Decodes a value of the given type.
    ///
    /// - Throws: ``JinnError/valueConversion(_:)`` naming where the value did not fit, and what was found there.
    public func decode<T: Decodable>(_ type: T.Type, from value: PythonValue) throws(JinnError) -> T {
        try decode(type, from: value, describing: "value")
    }

    /// Decodes a value; `root` names it in error messages ("the result of math.sqrt").
    func decode<T: Decodable>(_ type: T.Type, from value: PythonValue, describing root: String) throws(JinnError)
        -> T
    {
        do {
            return try Self.unbox(type, from: value, codingPath: [], userInfo: userInfo)
        } catch let error as DecodingError {
            throw .valueConversion(Self.describe(error, root: root))
        } catch {
            throw .valueConversion("\(root): \(error)")
        }
    }

    static func unbox<T: Decodable>(_ type: T.Type, from value: PythonValue, codingPath: [any CodingKey],
                                    userInfo: [CodingUserInfoKey: Any]) throws -> T
    {
        if T.self == PythonValue.self { return value as! T }
        switch value {
        case .int(let seconds) where T.self == Date.self:
            return Date(timeIntervalSince1970: Double(seconds)) as! T
        case .int(let integer):
            if T.self == Int.self { return integer as! T }
            if T.self == Double.self { return Double(integer) as! T }
        case .string(let text) where T.self == String.self: return text as! T
        case .float(let number) where T.self == Double.self: return number as! T
        case .float(let seconds) where T.self == Date.self: return Date(timeIntervalSince1970: seconds) as! T
        case .bool(let flag) where T.self == Bool.self: return flag as! T
        case .bytes(let bytes):
            if T.self == Data.self { return Data(bytes) as! T }
            if T.self == [UInt8].self { return bytes as! T }
        case .string(let text) where T.self == URL.self:
            guard let url = URL(string: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath,
                                                        debugDescription: "'\(text)' is not a URL"))
            }
            return url as! T
        case .dict(let items):
            if let dictionary = T.self as? any PythonDictionaryDecodable.Type {
                return try dictionary.fromPython(items, codingPath: codingPath, userInfo: userInfo) as! T
            }
        case .list(let elements), .tuple(let elements), .set(let elements):
            if let set = T.self as? any PythonSetDecodable.Type {
                return try set.fromPython(elements, codingPath: codingPath, userInfo: userInfo) as! T
            }
        default:
            break
        }
        return try T(from: DecodingNode(value: value, codingPath: codingPath, userInfo: userInfo))
    }

    static func describe(_ error: DecodingError, root: String) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(codingPathDescription(context.codingPath, root: root)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(codingPathDescription(context.codingPath, root: root)): the dict has no key '\(key.stringValue)'"
        @unknown default:
            return "\(root): \(error)"
        }
    }
}

extension PythonValue {
    /// `str 'abc'`, `int 3`, `list of 2 elements`: what a decoding error says it found.
    var found: String {
        switch self {
        case .list(let elements), .tuple(let elements), .set(let elements):
            return "\(typeName) of \(elements.count) elements"
        case .dict(let items): return "dict of \(items.count) items"
        case .bytes(let bytes): return "bytes of length \(bytes.count)"
        case .string(let text) where text.count > 40: return "str '\(text.prefix(40))…'"
        default: return "\(typeName) \(description)"
        }
    }
}

struct DecodingNode: Decoder {
    let value: PythonValue
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .dict(let items) = value else {
            throw DecodingError.typeMismatch(
                [String: PythonValue].self,
                .init(codingPath: codingPath, debugDescription: "expected a dict, found \(value.found)"))
        }
        return KeyedDecodingContainer(KeyedDecoding<Key>(items: items, codingPath: codingPath, userInfo: userInfo))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let elements = value.elements else {
            throw DecodingError.typeMismatch(
                [PythonValue].self,
                .init(codingPath: codingPath, debugDescription: "expected a list, found \(value.found)"))
        }
        return UnkeyedDecoding(elements: elements, codingPath: codingPath, userInfo: userInfo)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueDecoding(value: value, codingPath: codingPath, userInfo: userInfo)
    }
}

/// The conversions from one Python value to the primitive Swift types, shared by the three containers.
struct PrimitiveDecoding {
    let value: PythonValue
    let codingPath: [any CodingKey]

    func mismatch(_ type: Any.Type, _ expected: String) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(value.found)"))
    }

    func bool() throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, "a bool") }
        return flag
    }

    func string() throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, "a str") }
        return text
    }

    func double() throws -> Double {
        switch value {
        case .float(let number): return number
        case .int(let integer): return Double(integer)
        case .bigInt(let integer): return Double(integer.description) ?? .nan
        default: throw mismatch(Double.self, "a float")
        }
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        switch value {
        case .int(let integer):
            if let fitting = T(exactly: integer) { return fitting }
        case .bigInt(let integer):
            if !integer.isNegative || T.isSigned, let fitting = Self.fixedWidth(integer, as: T.self) {
                return fitting
            }
        default:
            throw mismatch(T.self, "an int")
        }
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath,
                                                debugDescription: "the int \(value) does not fit in \(T.self)"))
    }

    private static func fixedWidth<T: FixedWidthInteger>(_ integer: BigInteger, as type: T.Type) -> T? {
        var magnitude: T.Magnitude = 0
        for digit in integer.digits.reversed() {
            guard magnitude.leadingZeroBitCount >= 15 else { return nil }
            magnitude = magnitude << 15 | T.Magnitude(digit)
        }
        if integer.isNegative {
            guard magnitude <= T.Magnitude(T.max) + 1 else { return nil }
            return T(truncatingIfNeeded: 0 &- magnitude)
        }
        return T(exactly: magnitude)
    }
}

struct SingleValueDecoding: SingleValueDecodingContainer {
    let value: PythonValue
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    private var primitive: PrimitiveDecoding { PrimitiveDecoding(value: value, codingPath: codingPath) }

    func decodeNil() -> Bool { value.isNone }
    func decode(_ type: Bool.Type) throws -> Bool { try primitive.bool() }
    func decode(_ type: String.Type) throws -> String { try primitive.string() }
    func decode(_ type: Double.Type) throws -> Double { try primitive.double() }
    func decode(_ type: Float.Type) throws -> Float { Float(try primitive.double()) }
    func decode(_ type: Int.Type) throws -> Int { try primitive.integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try primitive.integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try primitive.integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try primitive.integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try primitive.integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try primitive.integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try primitive.integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try primitive.integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try primitive.integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try primitive.integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try PythonValueDecoder.unbox(type, from: value, codingPath: codingPath, userInfo: userInfo)
    }
}

struct KeyedDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let values: [String: PythonValue]
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]
    let allKeys: [Key]

    init(items: [PythonValue.Item], codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) {
        var values: [String: PythonValue] = [:]
        var keys: [Key] = []
        for item in items {
            let name: String
            switch item.key {
            case .string(let text): name = text
            case .int(let integer): name = String(integer)
            default: continue
            }
            values[name] = item.value
            if let key = Key(stringValue: name) { keys.append(key) }
        }
        self.values = values
        self.codingPath = codingPath
        self.userInfo = userInfo
        self.allKeys = keys
    }

    func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }

    private func value(_ key: Key) throws -> PythonValue {
        guard let value = values[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no such key"))
        }
        return value
    }

    private func primitive(_ key: Key) throws -> PrimitiveDecoding {
        PrimitiveDecoding(value: try value(key), codingPath: codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key).isNone }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try primitive(key).bool() }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try primitive(key).string() }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try primitive(key).double() }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try primitive(key).double()) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try primitive(key).integer(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try primitive(key).integer(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try primitive(key).integer(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try primitive(key).integer(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try primitive(key).integer(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try primitive(key).integer(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try primitive(key).integer(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try primitive(key).integer(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try primitive(key).integer(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try primitive(key).integer(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try PythonValueDecoder.unbox(type, from: try value(key), codingPath: codingPath + [key], userInfo: userInfo)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try DecodingNode(value: try value(key), codingPath: codingPath + [key], userInfo: userInfo)
            .container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try DecodingNode(value: try value(key), codingPath: codingPath + [key], userInfo: userInfo).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        DecodingNode(value: values["super"] ?? .none, codingPath: codingPath, userInfo: userInfo)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        DecodingNode(value: values[key.stringValue] ?? .none, codingPath: codingPath + [key], userInfo: userInfo)
    }
}

struct UnkeyedDecoding: UnkeyedDecodingContainer {
    let elements: [PythonValue]
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]
    private(set) var currentIndex = 0

    init(elements: [PythonValue], codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) {
        self.elements = elements
        self.codingPath = codingPath
        self.userInfo = userInfo
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next(_ type: Any.Type) throws -> (PythonValue, [any CodingKey]) {
        let path = codingPath + [IndexKey(currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: path, debugDescription: "the list has only \(elements.count) elements"))
        }
        defer { currentIndex += 1 }
        return (elements[currentIndex], path)
    }

    private mutating func primitive(_ type: Any.Type) throws -> PrimitiveDecoding {
        let (value, path) = try next(type)
        return PrimitiveDecoding(value: value, codingPath: path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex].isNone else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try primitive(type).bool() }
    mutating func decode(_ type: String.Type) throws -> String { try primitive(type).string() }
    mutating func decode(_ type: Double.Type) throws -> Double { try primitive(type).double() }
    mutating func decode(_ type: Float.Type) throws -> Float { Float(try primitive(type).double()) }
    mutating func decode(_ type: Int.Type) throws -> Int { try primitive(type).integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try primitive(type).integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try primitive(type).integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try primitive(type).integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try primitive(type).integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try primitive(type).integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try primitive(type).integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try primitive(type).integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try primitive(type).integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try primitive(type).integer(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next(type)
        return try PythonValueDecoder.unbox(type, from: value, codingPath: path, userInfo: userInfo)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let (value, path) = try next([String: PythonValue].self)
        return try DecodingNode(value: value, codingPath: path, userInfo: userInfo).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next([PythonValue].self)
        return try DecodingNode(value: value, codingPath: path, userInfo: userInfo).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next(PythonValue.self)
        return DecodingNode(value: value, codingPath: path, userInfo: userInfo)
    }
}
