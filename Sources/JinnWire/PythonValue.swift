/// A Python value as it travels between Swift and Python.
///
/// `PythonValue` covers the types Python's `marshal` format carries without code objects: `None`, `bool`,
/// integers of any size, floats (NaN and ±infinity included), `str`, `bytes`, `list`, `tuple`, `dict` (keys of any
/// of these types, in insertion order) and `set`.
///
/// ```swift
/// let value: PythonValue = ["name": "jinn", "sizes": [1, 2, 3], "ratio": 0.5]
/// value["sizes"]?[1]   // .int(2)
/// ```
public enum PythonValue: Sendable, Hashable {
    /// `None`.
    case none
    /// `True` or `False`.
    case bool(Bool)
    /// An `int` that fits in `Int`.
    case int(Int)
    /// An `int` too large for `Int`.
    case bigInt(BigInteger)
    /// A `float`.
    case float(Double)
    /// A `str`.
    case string(String)
    /// A `bytes` object (or `bytearray` or `memoryview`, which arrive as `bytes`).
    case bytes([UInt8])
    /// A `list`.
    case list([PythonValue])
    /// A `tuple`.
    case tuple([PythonValue])
    /// A `dict`, as its items in order.
    case dict([Item])
    /// A `set` or `frozenset`.
    case set([PythonValue])

    /// One key and value of a `dict`.
    public struct Item: Sendable, Hashable {
        /// The key.
        public var key: PythonValue
        /// The value.
        public var value: PythonValue

        /// Creates an item.
        public init(_ key: PythonValue, _ value: PythonValue) {
            self.key = key
            self.value = value
        }
    }

    /// The name of the Python type this value decodes to: `"NoneType"`, `"int"`, `"str"`, ….
    public var typeName: String {
        switch self {
        case .none: "NoneType"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .list: "list"
        case .tuple: "tuple"
        case .dict: "dict"
        case .set: "set"
        }
    }
}

extension PythonValue {
    /// The value for a key of a `dict` whose keys compare equal to `key`, or `nil`.
    public subscript(key: PythonValue) -> PythonValue? {
        guard case .dict(let items) = self else { return nil }
        return items.first(where: { $0.key == key })?.value
    }

    /// The element at `index` of a `list` or `tuple`, or `nil` when out of range.
    public subscript(index: Int) -> PythonValue? {
        switch self {
        case .list(let elements), .tuple(let elements):
            return elements.indices.contains(index) ? elements[index] : nil
        default:
            return nil
        }
    }

    /// The contents of a `str`, or `nil`.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value of an `int` that fits in `Int` (or a `bool`), or `nil`.
    public var intValue: Int? {
        switch self {
        case .int(let value): value
        case .bool(let value): value ? 1 : 0
        default: nil
        }
    }

    /// The value of a `float` or an `int`, or `nil`.
    public var doubleValue: Double? {
        switch self {
        case .float(let value): value
        case .int(let value): Double(value)
        case .bigInt(let value): Double(value.description)
        default: nil
        }
    }

    /// The value of a `bool`, or `nil`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements of a `list`, `tuple` or `set`, or `nil`.
    public var elements: [PythonValue]? {
        switch self {
        case .list(let elements), .tuple(let elements), .set(let elements): elements
        default: nil
        }
    }

    /// The items of a `dict`, or `nil`.
    public var items: [Item]? {
        if case .dict(let items) = self { return items }
        return nil
    }

    /// Whether this is `None`.
    public var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}

extension PythonValue: CustomStringConvertible {
    /// The value written as Python's `repr` would write it.
    public var description: String {
        switch self {
        case .none: return "None"
        case .bool(let value): return value ? "True" : "False"
        case .int(let value): return String(value)
        case .bigInt(let value): return value.description
        case .float(let value):
            if value.isNaN { return "nan" }
            if value.isInfinite { return value < 0 ? "-inf" : "inf" }
            return String(value)
        case .string(let value): return Self.quote(value)
        case .bytes(let value):
            var text = "b'"
            for byte in value {
                switch byte {
                case UInt8(ascii: "\\"), UInt8(ascii: "'"): text += "\\" + String(UnicodeScalar(byte))
                case UInt8(ascii: "\n"): text += "\\n"
                case UInt8(ascii: "\r"): text += "\\r"
                case UInt8(ascii: "\t"): text += "\\t"
                case 0x20..<0x7f: text.unicodeScalars.append(UnicodeScalar(byte))
                default:
                    let hex = String(byte, radix: 16)
                    text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
                }
            }
            return text + "'"
        case .list(let elements): return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .tuple(let elements):
            if elements.count == 1 { return "(" + elements[0].description + ",)" }
            return "(" + elements.map(\.description).joined(separator: ", ") + ")"
        case .dict(let items):
            return "{" + items.map { "\($0.key.description): \($0.value.description)" }.joined(separator: ", ") + "}"
        case .set(let elements):
            return elements.isEmpty ? "set()" : "{" + elements.map(\.description).joined(separator: ", ") + "}"
        }
    }

    private static func quote(_ text: String) -> String {
        var result = "'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "'": result += "\\'"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "'"
    }
}

extension PythonValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .none }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: PythonValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (PythonValue, PythonValue)...) {
        self = .dict(elements.map { Item($0.0, $0.1) })
    }
}
