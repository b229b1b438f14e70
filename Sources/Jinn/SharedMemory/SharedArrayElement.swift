/// A type that a ``SharedArray`` holds: a fixed-size number whose bytes numpy reads as a dtype of its own.
///
/// `Float`, `Double`, `Float16` (where Swift has it), `Int8` to `Int64`, `UInt8` to `UInt64`, `Int`, `UInt` and
/// `Bool` conform.
public protocol SharedArrayElement: BitwiseCopyable, Sendable {
    /// numpy's type string for the element: byte order, kind and size in bytes, as in `"<f4"`.
    static var typeString: String { get }
}

extension Float: SharedArrayElement { public static var typeString: String { "<f4" } }
extension Double: SharedArrayElement { public static var typeString: String { "<f8" } }
extension Int8: SharedArrayElement { public static var typeString: String { "|i1" } }
extension Int16: SharedArrayElement { public static var typeString: String { "<i2" } }
extension Int32: SharedArrayElement { public static var typeString: String { "<i4" } }
extension Int64: SharedArrayElement { public static var typeString: String { "<i8" } }
extension Int: SharedArrayElement { public static var typeString: String { "<i\(MemoryLayout<Int>.size)" } }
extension UInt8: SharedArrayElement { public static var typeString: String { "|u1" } }
extension UInt16: SharedArrayElement { public static var typeString: String { "<u2" } }
extension UInt32: SharedArrayElement { public static var typeString: String { "<u4" } }
extension UInt64: SharedArrayElement { public static var typeString: String { "<u8" } }
extension UInt: SharedArrayElement { public static var typeString: String { "<u\(MemoryLayout<UInt>.size)" } }
extension Bool: SharedArrayElement { public static var typeString: String { "|b1" } }
#if !(os(macOS) && arch(x86_64))
extension Float16: SharedArrayElement { public static var typeString: String { "<f2" } }
#endif
