/// A Swift number type with a numpy dtype: what the elements of an ndarray decode into and are made from.
///
/// An ndarray whose dtype is the type's own copies its bytes as they are; one of another dtype converts element
/// by element where no information is lost (`float32` into `Double`, `int8` into `Int`), and integers convert
/// into another integer type when each value fits. Floating-point numbers never become integers, as with
/// ``PythonValueDecoder``.
protocol NDArrayScalar: Sendable {
    /// The dtype as a kind and a size in bytes: `"f8"` for `float64`.
    static var dtype: String { get }
    /// The elements of `source`, of `dtype`, converted; nil when that dtype does not convert into this type.
    static func converted(_ source: NDArraySource) throws(NDArrayMismatch) -> [Self]?
}

/// Why an array did not convert.
enum NDArrayMismatch: Error {
    /// An element does not fit: its index in C order and its value.
    case element(index: Int, value: String)
}

/// The elements of an array as they came from Python: their dtype and bytes, in native byte order.
struct NDArraySource {
    let dtype: String
    let bytes: UnsafeRawBufferPointer
    var count: Int { bytes.count / (Int(dtype.dropFirst()) ?? 1) }

    /// The elements read as `T`, whatever the alignment of the bytes.
    func load<T>(_ type: T.Type) -> [T] {
        let size = MemoryLayout<T>.size
        return (0..<bytes.count / size).map { bytes.loadUnaligned(fromByteOffset: $0 * size, as: T.self) }
    }

    /// The elements as floating-point numbers, for `f` dtypes.
    func floats() -> [Double]? {
        switch dtype {
        case "f8": load(Double.self)
        case "f4": load(Float.self).map(Double.init)
        case "f2": load(UInt16.self).map { Double(Self.half($0)) }
        default: nil
        }
    }

    /// The value of an IEEE half-precision number (numpy's `float16`); Swift's `Float16` is not on every platform.
    static func half(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1f
        let mantissa = UInt32(bits & 0x3ff)
        switch exponent {
        case 0:  // zero or subnormal: mantissa × 2⁻²⁴
            let magnitude = Float(sign: .plus, exponent: -24, significand: Float(mantissa))
            return sign == 0 ? magnitude : -magnitude
        case 0x1f:  // infinity or NaN
            return Float(bitPattern: sign | 0x7f80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// The elements as signed or unsigned integers, for `i` and `u` dtypes.
    func integers() -> (signed: [Int64]?, unsigned: [UInt64]?)? {
        switch dtype {
        case "i8": (load(Int64.self), nil)
        case "i4": (load(Int32.self).map(Int64.init), nil)
        case "i2": (load(Int16.self).map(Int64.init), nil)
        case "i1": (load(Int8.self).map(Int64.init), nil)
        case "u8": (nil, load(UInt64.self))
        case "u4": (nil, load(UInt32.self).map(UInt64.init))
        case "u2": (nil, load(UInt16.self).map(UInt64.init))
        case "u1": (nil, load(UInt8.self).map(UInt64.init))
        default: nil
        }
    }
}

extension NDArrayScalar where Self: FixedWidthInteger {
    static func converted(_ source: NDArraySource) throws(NDArrayMismatch) -> [Self]? {
        guard let (signed, unsigned) = source.integers() else { return nil }
        var result: [Self] = []
        result.reserveCapacity(source.count)
        if let signed {
            for (index, value) in signed.enumerated() {
                guard let fitting = Self(exactly: value) else { throw .element(index: index, value: "\(value)") }
                result.append(fitting)
            }
        } else if let unsigned {
            for (index, value) in unsigned.enumerated() {
                guard let fitting = Self(exactly: value) else { throw .element(index: index, value: "\(value)") }
                result.append(fitting)
            }
        }
        return result
    }
}

extension Double: NDArrayScalar {
    static var dtype: String { "f8" }

    static func converted(_ source: NDArraySource) throws(NDArrayMismatch) -> [Double]? {
        if let floats = source.floats() { return floats }
        // Integers become Double as the int of a plain value does, rounded beyond 2^53.
        guard let (signed, unsigned) = source.integers() else { return nil }
        return signed?.map(Double.init) ?? unsigned?.map(Double.init)
    }
}

extension Float: NDArrayScalar {
    static var dtype: String { "f4" }

    static func converted(_ source: NDArraySource) throws(NDArrayMismatch) -> [Float]? {
        if source.dtype == "f4" { return source.load(Float.self) }
        if source.dtype == "f2" { return source.load(UInt16.self).map(NDArraySource.half) }
        guard source.dtype.first != "f", let (signed, unsigned) = source.integers() else { return nil }
        // float64 would lose digits, so it is refused; an integer converts when Float holds it exactly.
        var result: [Float] = []
        result.reserveCapacity(source.count)
        for (index, value) in (signed?.map(Double.init) ?? unsigned?.map(Double.init) ?? []).enumerated() {
            guard let fitting = Float(exactly: value) else { throw .element(index: index, value: "\(value)") }
            result.append(fitting)
        }
        return result
    }
}

extension Bool: NDArrayScalar {
    static var dtype: String { "b1" }

    static func converted(_ source: NDArraySource) throws(NDArrayMismatch) -> [Bool]? {
        guard source.dtype == "b1" else { return nil }
        return source.bytes.map { $0 != 0 }
    }
}

extension Int: NDArrayScalar { static var dtype: String { MemoryLayout<Int>.size == 8 ? "i8" : "i4" } }
extension Int8: NDArrayScalar { static var dtype: String { "i1" } }
extension Int16: NDArrayScalar { static var dtype: String { "i2" } }
extension Int32: NDArrayScalar { static var dtype: String { "i4" } }
extension Int64: NDArrayScalar { static var dtype: String { "i8" } }
extension UInt: NDArrayScalar { static var dtype: String { MemoryLayout<UInt>.size == 8 ? "u8" : "u4" } }
extension UInt8: NDArrayScalar { static var dtype: String { "u1" } }
extension UInt16: NDArrayScalar { static var dtype: String { "u2" } }
extension UInt32: NDArrayScalar { static var dtype: String { "u4" } }
extension UInt64: NDArrayScalar { static var dtype: String { "u8" } }

/// A name for a dtype in messages: `float64`, `int32`, `bool`.
func dtypeName(_ dtype: String) -> String {
    let bits = (Int(dtype.dropFirst()) ?? 0) * 8
    switch dtype.first {
    case "f": return "float\(bits)"
    case "i": return "int\(bits)"
    case "u": return "uint\(bits)"
    case "b": return "bool"
    default: return dtype
    }
}
