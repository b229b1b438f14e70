/// Python's `marshal` serialization format (version 4), for the value types of ``PythonValue``.
///
/// `marshal` is implemented in C inside every CPython, so Python encodes and decodes it faster than JSON, and
/// it carries `bytes`, integers of any size, NaN and infinities, tuples and non-string dictionary keys without
/// any escaping. Code objects and other types that could run code are refused when decoding.
///
/// ```swift
/// let bytes = Marshal.encode(["x": 1, "data": .bytes([0, 1, 2])])
/// let value = try Marshal.decode(bytes)
/// ```
public enum Marshal {
    /// The deepest nesting of containers that ``decode(_:)`` accepts.
    public static let maximumDepth = 512

    /// Encodes a value.
    public static func encode(_ value: PythonValue) -> [UInt8] {
        var output: [UInt8] = []
        encode(value, into: &output)
        return output
    }

    /// Appends the encoding of a value to `output`.
    public static func encode(_ value: PythonValue, into output: inout [UInt8]) {
        write(value, to: &output)
    }

    /// Writes the encoding of a value at the start of `buffer`, which holds at least ``encodedSize(_:)`` bytes,
    /// and returns the number of bytes written: for memory that is not an array, such as memory shared with
    /// Python.
    @discardableResult
    public static func encode(_ value: PythonValue, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var output = RawOutput(buffer: buffer)
        write(value, to: &output)
        return output.count
    }

    private static func write(_ value: PythonValue, to output: inout some MarshalOutput) {
        switch value {
        case .none: output.append(Tag.none)
        case .bool(let flag): output.append(flag ? Tag.true : Tag.false)
        case .int(let integer):
            if let small = Int32(exactly: integer) {
                output.append(Tag.int)
                appendInt32(small, to: &output)
            } else {
                appendLong(BigInteger(integer), to: &output)
            }
        case .bigInt(let integer):
            if let small = integer.intValue.flatMap({ Int32(exactly: $0) }) {
                output.append(Tag.int)
                appendInt32(small, to: &output)
            } else {
                appendLong(integer, to: &output)
            }
        case .float(let number):
            output.append(Tag.binaryFloat)
            withUnsafeBytes(of: number.bitPattern.littleEndian) { output.append(raw: $0) }
        case .string(let text):
            output.append(Tag.unicode)
            var text = text
            text.withUTF8 { utf8 in
                appendUInt32(UInt32(utf8.count), to: &output)
                output.append(raw: UnsafeRawBufferPointer(utf8))
            }
        case .bytes(let bytes):
            output.append(Tag.bytes)
            appendUInt32(UInt32(bytes.count), to: &output)
            bytes.withUnsafeBytes { output.append(raw: $0) }
        case .list(let elements): appendSequence(Tag.list, elements, to: &output)
        case .tuple(let elements): appendSequence(Tag.tuple, elements, to: &output)
        case .set(let elements): appendSequence(Tag.set, elements, to: &output)
        case .dict(let items):
            output.append(Tag.dict)
            for item in items {
                write(item.key, to: &output)
                write(item.value, to: &output)
            }
            output.append(Tag.null)
        }
    }

    /// The number of bytes ``encode(_:)`` produces for a value, computed without encoding it.
    public static func encodedSize(_ value: PythonValue) -> Int {
        switch value {
        case .none, .bool: return 1
        case .int(let integer):
            if Int32(exactly: integer) != nil { return 5 }
            return 5 + 2 * ((Int.bitWidth - integer.magnitude.leadingZeroBitCount + 14) / 15)
        case .bigInt(let integer):
            if integer.intValue.flatMap({ Int32(exactly: $0) }) != nil { return 5 }
            return 5 + 2 * integer.digits.count
        case .float: return 9
        case .string(let text): return 5 + text.utf8.count
        case .bytes(let bytes): return 5 + bytes.count
        case .list(let elements), .tuple(let elements), .set(let elements):
            return elements.reduce(5) { $0 + encodedSize($1) }
        case .dict(let items):
            return items.reduce(2) { $0 + encodedSize($1.key) + encodedSize($1.value) }
        }
    }

    /// Decodes exactly one value that fills all of `bytes`.
    @inlinable  // specialized where it is used: contiguous bytes are then read in place, without a copy
    public static func decode(_ bytes: some Collection<UInt8>) throws(WireError) -> PythonValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(WireError) -> PythonValue in try decode(buffer: buffer) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { (buffer) throws(WireError) -> PythonValue in
            try decode(buffer: buffer)
        }
    }

    /// Decodes exactly one value that fills all of `bytes`, refusing back-references: what a peer that is not
    /// trusted sends (a reference copies a value already read, so a small message could stand for a huge one).
    public static func decodeWithoutReferences(_ bytes: some Collection<UInt8>) throws(WireError) -> PythonValue {
        try Array(bytes).withUnsafeBufferPointer { (buffer) throws(WireError) -> PythonValue in
            try decode(buffer: buffer, allowingReferences: false)
        }
    }

    @usableFromInline
    static func decode(buffer: UnsafeBufferPointer<UInt8>, allowingReferences: Bool = true) throws(WireError)
        -> PythonValue
    {
        var reader = Reader(buffer: buffer)
        reader.allowsReferences = allowingReferences
        let value = try reader.readValue(depth: 0)
        guard reader.offset == buffer.count else {
            throw WireError("\(buffer.count - reader.offset) unexpected bytes after a marshal value")
        }
        return value
    }

    enum Tag {
        static let null = UInt8(ascii: "0")
        static let none = UInt8(ascii: "N")
        static let `false` = UInt8(ascii: "F")
        static let `true` = UInt8(ascii: "T")
        static let int = UInt8(ascii: "i")
        static let long = UInt8(ascii: "l")
        static let binaryFloat = UInt8(ascii: "g")
        static let asciiFloat = UInt8(ascii: "f")
        static let bytes = UInt8(ascii: "s")
        static let interned = UInt8(ascii: "t")
        static let unicode = UInt8(ascii: "u")
        static let ascii = UInt8(ascii: "a")
        static let asciiInterned = UInt8(ascii: "A")
        static let shortAscii = UInt8(ascii: "z")
        static let shortAsciiInterned = UInt8(ascii: "Z")
        static let tuple = UInt8(ascii: "(")
        static let smallTuple = UInt8(ascii: ")")
        static let list = UInt8(ascii: "[")
        static let dict = UInt8(ascii: "{")
        static let set = UInt8(ascii: "<")
        static let frozenSet = UInt8(ascii: ">")
        static let reference = UInt8(ascii: "r")
        static let referenceFlag: UInt8 = 0x80
    }

    private static func appendUInt32(_ value: UInt32, to output: inout some MarshalOutput) {
        withUnsafeBytes(of: value.littleEndian) { output.append(raw: $0) }
    }

    private static func appendInt32(_ value: Int32, to output: inout some MarshalOutput) {
        appendUInt32(UInt32(bitPattern: value), to: &output)
    }

    private static func appendLong(_ value: BigInteger, to output: inout some MarshalOutput) {
        output.append(Tag.long)
        let count = Int32(value.digits.count)
        appendInt32(value.isNegative ? -count : count, to: &output)
        for digit in value.digits {
            withUnsafeBytes(of: digit.littleEndian) { output.append(raw: $0) }
        }
    }

    private static func appendSequence(_ tag: UInt8, _ elements: [PythonValue], to output: inout some MarshalOutput) {
        output.append(tag)
        appendUInt32(UInt32(elements.count), to: &output)
        for element in elements { write(element, to: &output) }
    }
}

/// Where the encoder writes: a growing array, or memory sized beforehand.
private protocol MarshalOutput {
    mutating func append(_ byte: UInt8)
    mutating func append(raw bytes: UnsafeRawBufferPointer)
}

extension Array: MarshalOutput where Element == UInt8 {
    mutating func append(raw bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
}

private struct RawOutput: MarshalOutput {
    let buffer: UnsafeMutableRawBufferPointer
    var count = 0

    mutating func append(_ byte: UInt8) {
        precondition(count < buffer.count, "the buffer is smaller than the encoded size")
        buffer[count] = byte
        count += 1
    }

    mutating func append(raw bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(count + bytes.count <= buffer.count, "the buffer is smaller than the encoded size")
        (buffer.baseAddress! + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }
}

extension Marshal {
    struct Reader {
        let buffer: UnsafeBufferPointer<UInt8>
        var offset = 0
        /// Objects marked with the reference flag, by the order in which they started.
        var references: [PythonValue?] = []
        /// Whether back-references (and the flag that makes them possible) are accepted.
        var allowsReferences = true

        init(buffer: UnsafeBufferPointer<UInt8>) {
            self.buffer = buffer
        }

        mutating func readValue(depth: Int) throws(WireError) -> PythonValue {
            guard depth < Marshal.maximumDepth else {
                throw WireError("values nested deeper than \(Marshal.maximumDepth) levels")
            }
            let start = offset
            let code = try readByte()
            let tag = code & ~Tag.referenceFlag
            var slot: Int? = nil
            if !allowsReferences && (code & Tag.referenceFlag != 0 || tag == Tag.reference) {
                throw WireError("back-references are not accepted here (byte \(start))")
            }
            if code & Tag.referenceFlag != 0 {
                slot = references.count
                references.append(nil)
            }
            let value: PythonValue
            switch tag {
            case Tag.none: value = .none
            case Tag.false: value = .bool(false)
            case Tag.true: value = .bool(true)
            case Tag.int: value = .int(Int(Int32(bitPattern: try readUInt32())))
            case Tag.long: value = try readLong()
            case Tag.binaryFloat: value = .float(Double(bitPattern: try readUInt64()))
            case Tag.asciiFloat:
                let length = Int(try readByte())
                let text = String(decoding: try readBytes(length), as: UTF8.self)
                guard let number = Double(text) else { throw WireError("malformed float '\(text)'") }
                value = .float(number)
            case Tag.bytes: value = .bytes(Array(try readBytes(Int(try readUInt32()))))
            case Tag.unicode, Tag.interned, Tag.ascii, Tag.asciiInterned:
                value = .string(String(decoding: try readBytes(Int(try readUInt32())), as: UTF8.self))
            case Tag.shortAscii, Tag.shortAsciiInterned:
                value = .string(String(decoding: try readBytes(Int(try readByte())), as: UTF8.self))
            case Tag.tuple: value = .tuple(try readElements(Int(try readUInt32()), depth: depth))
            case Tag.smallTuple: value = .tuple(try readElements(Int(try readByte()), depth: depth))
            case Tag.list: value = .list(try readElements(Int(try readUInt32()), depth: depth))
            case Tag.set, Tag.frozenSet: value = .set(try readElements(Int(try readUInt32()), depth: depth))
            case Tag.dict:
                var items: [PythonValue.Item] = []
                while true {
                    guard offset < buffer.count else { throw WireError("a dict is cut short") }
                    if buffer[offset] == Tag.null {
                        offset += 1
                        break
                    }
                    let key = try readValue(depth: depth + 1)
                    items.append(.init(key, try readValue(depth: depth + 1)))
                }
                value = .dict(items)
            case Tag.reference:
                let index = Int(try readUInt32())
                guard index < references.count, let referenced = references[index] else {
                    throw WireError("a reference to object \(index), which is not (yet) defined")
                }
                value = referenced
            default:
                throw WireError(
                    "unsupported marshal type code 0x\(String(tag, radix: 16)) at byte \(start)"
                        + " (only None, bool, int, float, str, bytes, list, tuple, dict and set travel)")
            }
            if let slot { references[slot] = value }
            return value
        }

        private mutating func readElements(_ count: Int, depth: Int) throws(WireError) -> [PythonValue] {
            // Every element takes at least one byte, so a count larger than what is left is malformed; checking
            // first keeps a corrupt count from reserving gigabytes.
            guard count <= buffer.count - offset else { throw WireError("a container claims \(count) elements") }
            var elements: [PythonValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try readValue(depth: depth + 1)) }
            return elements
        }

        private mutating func readLong() throws(WireError) -> PythonValue {
            let signedCount = Int32(bitPattern: try readUInt32())
            let count = Int(signedCount.magnitude)
            guard count <= (buffer.count - offset) / 2 else { throw WireError("an int claims \(count) digits") }
            var digits: [UInt16] = []
            digits.reserveCapacity(count)
            for _ in 0..<count {
                let low = UInt16(try readByte())
                let digit = low | UInt16(try readByte()) << 8
                guard digit < 1 << 15 else { throw WireError("an int digit out of range") }
                digits.append(digit)
            }
            let integer = BigInteger(isNegative: signedCount < 0, digits: digits)
            if let small = integer.intValue { return .int(small) }
            return .bigInt(integer)
        }

        private mutating func readByte() throws(WireError) -> UInt8 {
            guard offset < buffer.count else { throw WireError("a marshal value is cut short") }
            defer { offset += 1 }
            return buffer[offset]
        }

        private mutating func readBytes(_ count: Int) throws(WireError) -> UnsafeBufferPointer<UInt8> {
            guard count >= 0, count <= buffer.count - offset else {
                throw WireError("a marshal value claims \(count) bytes but \(buffer.count - offset) are left")
            }
            defer { offset += count }
            return UnsafeBufferPointer(rebasing: buffer[offset..<offset + count])
        }

        private mutating func readUInt32() throws(WireError) -> UInt32 {
            let bytes = try readBytes(4)
            return UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        }

        private mutating func readUInt64() throws(WireError) -> UInt64 {
            let low = UInt64(try readUInt32())
            return low | UInt64(try readUInt32()) << 32
        }
    }
}
