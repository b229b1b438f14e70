import Foundation
import JinnWire

/// A Swift value that can stand for a Python object: an argument of a call, an operand, a key or an item's value.
///
/// Numbers, `Bool`, `String`, `Data` (as `bytes`), `nil` optionals (`None`), arrays (lists), dictionaries, sets,
/// ``PythonValue``, ranges (slices) and ``PythonObject`` itself conform. Conform a type of your own by saying
/// which object it stands for: plain data, a numpy array, or objects of a process.
///
/// ```swift
/// struct Celsius: PythonObjectConvertible {
///     var degrees: Double
///     var pythonObject: PythonObject { PythonObject(.float(degrees)) }
/// }
///
/// struct Samples: PythonObjectConvertible {
///     var values: [Double]
///     var pythonObject: PythonObject {
///         get throws(JinnError) { try PythonObject(ndarray: values) }       // crosses as a float64 array
///     }
/// }
/// ```
///
/// A `Codable` type converts through ``PythonObject/init(encoding:)``.
public protocol PythonObjectConvertible {
    /// The Python object this value stands for.
    ///
    /// - Throws: ``JinnError/valueConversion(_:)`` when the value has no Python form; the operation that uses it
    ///   throws the error.
    var pythonObject: PythonObject { get throws(JinnError) }
}

extension PythonObject: PythonObjectConvertible {
    /// The object itself.
    public var pythonObject: PythonObject { self }
}

extension PythonValue: PythonObjectConvertible {
    /// The plain data.
    public var pythonObject: PythonObject { PythonObject(self) }
}

extension Bool: PythonObjectConvertible {
    /// `True` or `False`.
    public var pythonObject: PythonObject { PythonObject(.bool(self)) }
}

extension String: PythonObjectConvertible {
    /// A `str`.
    public var pythonObject: PythonObject { PythonObject(.string(self)) }
}

extension Substring: PythonObjectConvertible {
    /// A `str`.
    public var pythonObject: PythonObject { PythonObject(.string(String(self))) }
}

extension Double: PythonObjectConvertible {
    /// A `float`.
    public var pythonObject: PythonObject { PythonObject(.float(self)) }
}

extension Float: PythonObjectConvertible {
    /// A `float`.
    public var pythonObject: PythonObject { PythonObject(.float(Double(self))) }
}

extension Data: PythonObjectConvertible {
    /// `bytes`.
    public var pythonObject: PythonObject { PythonObject(.bytes([UInt8](self))) }
}

/// The integer types become `int`s of any size.
extension PythonObjectConvertible where Self: BinaryInteger {
    /// An `int`.
    public var pythonObject: PythonObject {
        if let small = Int(exactly: self) { return PythonObject(.int(small)) }
        return PythonObject(.bigInt(BigInteger(String(self))!))
    }
}

extension Int: PythonObjectConvertible {}
extension Int8: PythonObjectConvertible {}
extension Int16: PythonObjectConvertible {}
extension Int32: PythonObjectConvertible {}
extension Int64: PythonObjectConvertible {}
extension UInt: PythonObjectConvertible {}
extension UInt8: PythonObjectConvertible {}
extension UInt16: PythonObjectConvertible {}
extension UInt32: PythonObjectConvertible {}
extension UInt64: PythonObjectConvertible {}

extension Optional: PythonObjectConvertible where Wrapped: PythonObjectConvertible {
    /// `None` for `nil`, else the wrapped value's object.
    public var pythonObject: PythonObject {
        get throws(JinnError) { try self?.pythonObject ?? PythonObject(PythonValue.none) }
    }
}

extension Array: PythonObjectConvertible where Element: PythonObjectConvertible {
    /// A `list` of the elements' objects; `[UInt8]` is `bytes`, as ``PythonValueEncoder`` encodes it.
    public var pythonObject: PythonObject {
        if Element.self == UInt8.self { return PythonObject(.bytes(self as! [UInt8])) }
        return PythonObject(.list(of: map(ObjectNode.init(converting:))), process: nil)
    }
}

extension Set: PythonObjectConvertible where Element: PythonObjectConvertible {
    /// A `set` of the elements' objects.
    public var pythonObject: PythonObject {
        PythonObject(.set(of: map(ObjectNode.init(converting:))), process: nil)
    }
}

extension Dictionary: PythonObjectConvertible where Key: PythonObjectConvertible, Value: PythonObjectConvertible {
    /// A `dict` of the keys' and values' objects.
    public var pythonObject: PythonObject {
        PythonObject(.dict(of: map { (key: ObjectNode(converting: $0.key), value: ObjectNode(converting: $0.value)) }),
                     process: nil)
    }
}

extension KeyValuePairs: PythonObjectConvertible where Key: PythonObjectConvertible, Value: PythonObjectConvertible {
    /// A `dict` of the keys' and values' objects, in this order.
    public var pythonObject: PythonObject {
        PythonObject(.dict(of: map { (key: ObjectNode(converting: $0.key), value: ObjectNode(converting: $0.value)) }),
                     process: nil)
    }
}

extension Range: PythonObjectConvertible where Bound == Int {
    /// The slice `lowerBound:upperBound`.
    public var pythonObject: PythonObject { .slice(lowerBound, upperBound) }
}

extension ClosedRange: PythonObjectConvertible where Bound == Int {
    /// The slice `lowerBound:upperBound + 1` (`-3...-1` is `-3:`, to the end).
    public var pythonObject: PythonObject { .slice(lowerBound, upperBound == -1 ? nil : upperBound + 1) }
}

extension PartialRangeFrom: PythonObjectConvertible where Bound == Int {
    /// The slice `lowerBound:`.
    public var pythonObject: PythonObject { .slice(lowerBound, nil) }
}

extension PartialRangeUpTo: PythonObjectConvertible where Bound == Int {
    /// The slice `:upperBound`.
    public var pythonObject: PythonObject { .slice(nil, upperBound) }
}

extension PartialRangeThrough: PythonObjectConvertible where Bound == Int {
    /// The slice `:upperBound + 1` (`...-1` is `:`, to the end).
    public var pythonObject: PythonObject { .slice(nil, upperBound == -1 ? nil : upperBound + 1) }
}
