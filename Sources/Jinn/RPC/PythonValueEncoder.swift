import Foundation
import JinnWire

/// Encodes `Encodable` Swift values as ``PythonValue``s: the arguments of calls into Python, and the responses of
/// Swift handlers that Python calls.
///
/// | Swift | Python |
/// |---|---|
/// | `nil` | `None` |
/// | `Bool`, `String` | `bool`, `str` |
/// | every integer type | `int` (`UInt64` values above `Int.max` included) |
/// | `Double`, `Float` | `float` |
/// | `Data`, `[UInt8]` | `bytes` (raw bytes, never base64) |
/// | `Date` | `float`: seconds since 1970, as `time.time()` counts |
/// | `URL` | `str` |
/// | arrays, structs, classes | `list`, `dict` with `str` keys |
/// | `Dictionary` | `dict` with keys of the key's Python type (`int` keys for `[Int: V]`) |
/// | `Set` | `set` |
/// | ``PythonValue`` | itself |
///
/// ```swift
/// struct Point: Codable { var x: Double; var y: Double }
/// let value = try PythonValueEncoder().encode(Point(x: 1, y: 2))   // {'x': 1.0, 'y': 2.0}
/// ```
public struct PythonValueEncoder: Sendable {
    /// Values the `encode(to:)` methods of your types can read from `encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Creates an encoder.
    public init() {}

    /// Encodes a value.
    ///
    /// - Throws: ``JinnError/valueConversion(_:)`` when the value's `encode(to:)` fails.
    public func encode<T: Encodable>(_ value: T) throws(JinnError) -> PythonValue {
        do {
            return try Self.box(value, codingPath: [], userInfo: userInfo)
        } catch let error as EncodingError {
            throw .valueConversion(Self.describe(error))
        } catch {
            throw .valueConversion("encoding \(T.self): \(error)")
        }
    }

    /// Encodes a value whose type is known only at run time.
    func encode(any value: any Encodable) throws(JinnError) -> PythonValue {
        try encode(value)
    }

    static func box<T: Encodable>(_ value: T, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any])
        throws -> PythonValue
    {
        switch value {
        case let value as PythonValue: return value
        case let value as String: return .string(value)
        case let value as Int: return .int(value)
        case let value as Double: return .float(value)
        case let value as Bool: return .bool(value)
        case let value as Data: return .bytes([UInt8](value))
        case let value as [UInt8]: return .bytes(value)
        case let value as Date: return .float(value.timeIntervalSince1970)
        case let value as URL: return .string(value.absoluteString)
        case let value as any PythonDictionaryEncodable:
            return .dict(try value.pythonItems(codingPath: codingPath, userInfo: userInfo))
        case let value as any PythonSetEncodable:
            return .set(try value.pythonElements(codingPath: codingPath, userInfo: userInfo))
        default:
            let slot = EncodingSlot()
            try value.encode(to: EncodingNode(slot: slot, codingPath: codingPath, userInfo: userInfo))
            return slot.value
        }
    }

    static func describe(_ error: EncodingError) -> String {
        switch error {
        case .invalidValue(let value, let context):
            return "cannot encode \(type(of: value)) at \(codingPathDescription(context.codingPath)): "
                + context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}

/// `value`, `value.name`, `value[2].name`.
func codingPathDescription(_ path: [any CodingKey], root: String = "value") -> String {
    var text = root
    for key in path {
        if let index = key.intValue, key.stringValue == "Index \(index)" || key.stringValue == String(index) {
            text += "[\(index)]"
        } else {
            text += "." + key.stringValue
        }
    }
    return text
}

/// What a value encoded itself as, filled in by the containers it asked for.
final class EncodingSlot {
    enum Content {
        case empty
        case value(PythonValue)
        case dict(KeyedStorage)
        case list(ListStorage)
    }

    final class KeyedStorage {
        var keys: [String] = []
        var slots: [EncodingSlot] = []
        var positions: [String: Int] = [:]

        func slot(for key: String) -> EncodingSlot {
            if let position = positions[key] { return slots[position] }
            let slot = EncodingSlot()
            positions[key] = keys.count
            keys.append(key)
            slots.append(slot)
            return slot
        }
    }

    final class ListStorage {
        var slots: [EncodingSlot] = []

        func append() -> EncodingSlot {
            let slot = EncodingSlot()
            slots.append(slot)
            return slot
        }
    }

    var content: Content = .empty

    var value: PythonValue {
        switch content {
        case .empty: return .dict([])  // a type that encoded nothing, as JSONEncoder writes {}
        case .value(let value): return value
        case .dict(let storage):
            return .dict(zip(storage.keys, storage.slots).map { PythonValue.Item(.string($0), $1.value) })
        case .list(let storage): return .list(storage.slots.map(\.value))
        }
    }

    func keyed() -> KeyedStorage {
        if case .dict(let storage) = content { return storage }
        let storage = KeyedStorage()
        content = .dict(storage)
        return storage
    }

    func list() -> ListStorage {
        if case .list(let storage) = content { return storage }
        let storage = ListStorage()
        content = .list(storage)
        return storage
    }
}

struct EncodingNode: Encoder {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedEncoding<Key>(storage: slot.keyed(), codingPath: codingPath, userInfo: userInfo))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedEncoding(storage: slot.list(), codingPath: codingPath, userInfo: userInfo)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueEncoding(slot: slot, codingPath: codingPath, userInfo: userInfo)
    }
}

/// Integers of every width as Python `int`s.
func pythonInteger<T: BinaryInteger>(_ value: T) -> PythonValue {
    if let small = Int(exactly: value) { return .int(small) }
    var magnitude = value.magnitude
    var digits: [UInt16] = []
    while magnitude > 0 {
        digits.append(UInt16(truncatingIfNeeded: magnitude & 0x7fff))
        magnitude >>= 15
    }
    return .bigInt(BigInteger(isNegative: value < 0, digits: digits))
}

struct SingleValueEncoding: SingleValueEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    private func set(_ value: PythonValue) { slot.content = .value(value) }

    mutating func encodeNil() throws { set(.none) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(.float(value)) }
    mutating func encode(_ value: Float) throws { set(.float(Double(value))) }
    mutating func encode(_ value: Int) throws { set(.int(value)) }
    mutating func encode(_ value: Int8) throws { set(.int(Int(value))) }
    mutating func encode(_ value: Int16) throws { set(.int(Int(value))) }
    mutating func encode(_ value: Int32) throws { set(.int(Int(value))) }
    mutating func encode(_ value: Int64) throws { set(.int(Int(value))) }
    mutating func encode(_ value: UInt) throws { set(pythonInteger(value)) }
    mutating func encode(_ value: UInt8) throws { set(.int(Int(value))) }
    mutating func encode(_ value: UInt16) throws { set(.int(Int(value))) }
    mutating func encode(_ value: UInt32) throws { set(.int(Int(value))) }
    mutating func encode(_ value: UInt64) throws { set(pythonInteger(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        set(try PythonValueEncoder.box(value, codingPath: codingPath, userInfo: userInfo))
    }
}

struct KeyedEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let storage: EncodingSlot.KeyedStorage
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    private func set(_ value: PythonValue, _ key: Key) { storage.slot(for: key.stringValue).content = .value(value) }

    mutating func encodeNil(forKey key: Key) throws { set(.none, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(.float(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(.float(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.int(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(pythonInteger(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(pythonInteger(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        set(try PythonValueEncoder.box(value, codingPath: codingPath + [key], userInfo: userInfo), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let slot = storage.slot(for: key.stringValue)
        return KeyedEncodingContainer(
            KeyedEncoding<NestedKey>(storage: slot.keyed(), codingPath: codingPath + [key], userInfo: userInfo))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let slot = storage.slot(for: key.stringValue)
        return UnkeyedEncoding(storage: slot.list(), codingPath: codingPath + [key], userInfo: userInfo)
    }

    mutating func superEncoder() -> any Encoder {
        EncodingNode(slot: storage.slot(for: "super"), codingPath: codingPath, userInfo: userInfo)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        EncodingNode(slot: storage.slot(for: key.stringValue), codingPath: codingPath + [key], userInfo: userInfo)
    }
}

struct UnkeyedEncoding: UnkeyedEncodingContainer {
    let storage: EncodingSlot.ListStorage
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    var count: Int { storage.slots.count }

    private func append(_ value: PythonValue) { storage.append().content = .value(value) }
    private var nextKey: IndexKey { IndexKey(count) }

    mutating func encodeNil() throws { append(.none) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(.float(value)) }
    mutating func encode(_ value: Float) throws { append(.float(Double(value))) }
    mutating func encode(_ value: Int) throws { append(.int(value)) }
    mutating func encode(_ value: Int8) throws { append(.int(Int(value))) }
    mutating func encode(_ value: Int16) throws { append(.int(Int(value))) }
    mutating func encode(_ value: Int32) throws { append(.int(Int(value))) }
    mutating func encode(_ value: Int64) throws { append(.int(Int(value))) }
    mutating func encode(_ value: UInt) throws { append(pythonInteger(value)) }
    mutating func encode(_ value: UInt8) throws { append(.int(Int(value))) }
    mutating func encode(_ value: UInt16) throws { append(.int(Int(value))) }
    mutating func encode(_ value: UInt32) throws { append(.int(Int(value))) }
    mutating func encode(_ value: UInt64) throws { append(pythonInteger(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let key = nextKey
        append(try PythonValueEncoder.box(value, codingPath: codingPath + [key], userInfo: userInfo))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let key = nextKey
        return KeyedEncodingContainer(KeyedEncoding<NestedKey>(
            storage: storage.append().keyed(), codingPath: codingPath + [key], userInfo: userInfo))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = nextKey
        return UnkeyedEncoding(storage: storage.append().list(), codingPath: codingPath + [key], userInfo: userInfo)
    }

    mutating func superEncoder() -> any Encoder {
        let key = nextKey
        return EncodingNode(slot: storage.append(), codingPath: codingPath + [key], userInfo: userInfo)
    }
}

/// The key of an element of a list in a coding path.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }

    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// Dictionaries travel as Python `dict`s whose keys keep their own type, which a keyed container cannot tell:
/// Swift encodes `[Int: V]` with string keys there.
protocol PythonDictionaryEncodable {
    func pythonItems(codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) throws -> [PythonValue.Item]
}

protocol PythonDictionaryDecodable {
    static func fromPython(_ items: [PythonValue.Item], codingPath: [any CodingKey],
                           userInfo: [CodingUserInfoKey: Any]) throws -> Self
}

extension Dictionary: PythonDictionaryEncodable where Key: Encodable, Value: Encodable {
    func pythonItems(codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) throws -> [PythonValue.Item] {
        try map { key, value in
            let path = codingPath + [DictionaryKey(String(describing: key))]
            return PythonValue.Item(
                try PythonValueEncoder.box(key, codingPath: path, userInfo: userInfo),
                try PythonValueEncoder.box(value, codingPath: path, userInfo: userInfo))
        }
    }
}

extension Dictionary: PythonDictionaryDecodable where Key: Decodable, Value: Decodable {
    static func fromPython(_ items: [PythonValue.Item], codingPath: [any CodingKey],
                           userInfo: [CodingUserInfoKey: Any]) throws -> Self
    {
        var dictionary: [Key: Value] = [:]
        dictionary.reserveCapacity(items.count)
        for item in items {
            let path = codingPath + [DictionaryKey(item.key.description)]
            let key = try PythonValueDecoder.unbox(Key.self, from: item.key, codingPath: path, userInfo: userInfo)
            dictionary[key] = try PythonValueDecoder.unbox(Value.self, from: item.value, codingPath: path,
                                                           userInfo: userInfo)
        }
        return dictionary
    }
}

/// Sets travel as Python `set`s.
protocol PythonSetEncodable {
    func pythonElements(codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) throws -> [PythonValue]
}

protocol PythonSetDecodable {
    static func fromPython(_ elements: [PythonValue], codingPath: [any CodingKey],
                           userInfo: [CodingUserInfoKey: Any]) throws -> Self
}

extension Set: PythonSetEncodable where Element: Encodable {
    func pythonElements(codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) throws -> [PythonValue] {
        try map { try PythonValueEncoder.box($0, codingPath: codingPath, userInfo: userInfo) }
    }
}

extension Set: PythonSetDecodable where Element: Decodable {
    static func fromPython(_ elements: [PythonValue], codingPath: [any CodingKey],
                           userInfo: [CodingUserInfoKey: Any]) throws -> Self
    {
        var set: Set<Element> = []
        for (index, element) in elements.enumerated() {
            set.insert(try PythonValueDecoder.unbox(Element.self, from: element,
                                                    codingPath: codingPath + [IndexKey(index)], userInfo: userInfo))
        }
        return set
    }
}

/// The key of a dictionary entry in a coding path.
struct DictionaryKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
