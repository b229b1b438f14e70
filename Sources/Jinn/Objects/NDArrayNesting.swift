/// A number of an ndarray, or a Swift array of them nested to any depth (`[Double]`, `[[Float]]`): what an ndarray
/// of that rank decodes into and is made from.
protocol NDArrayNesting {
    associatedtype Scalar: NDArrayScalar
    /// The number of dimensions: 0 for a number, 1 for `[Double]`, 2 for `[[Double]]`.
    static var rank: Int { get }
    /// The value of shape `shape` whose elements are `flat`, in C order.
    static func nested(from flat: UnsafeBufferPointer<Scalar>, shape: ArraySlice<Int>) -> Self
    /// Appends the numbers to `flat` in C order, and the length of each dimension to `shape` when the value is
    /// the first at its depth; throws when a dimension's length differs from the one recorded.
    func flatten(into flat: inout [Scalar], shape: inout [Int], depth: Int) throws(JinnError)
}

extension NDArrayNesting where Scalar == Self {
    static var rank: Int { 0 }
    static func nested(from flat: UnsafeBufferPointer<Scalar>, shape: ArraySlice<Int>) -> Self { flat[0] }
    func flatten(into flat: inout [Scalar], shape: inout [Int], depth: Int) throws(JinnError) { flat.append(self) }
}

extension Double: NDArrayNesting { typealias Scalar = Double }
extension Float: NDArrayNesting { typealias Scalar = Float }
extension Bool: NDArrayNesting { typealias Scalar = Bool }
extension Int: NDArrayNesting { typealias Scalar = Int }
extension Int8: NDArrayNesting { typealias Scalar = Int8 }
extension Int16: NDArrayNesting { typealias Scalar = Int16 }
extension Int32: NDArrayNesting { typealias Scalar = Int32 }
extension Int64: NDArrayNesting { typealias Scalar = Int64 }
extension UInt: NDArrayNesting { typealias Scalar = UInt }
extension UInt8: NDArrayNesting { typealias Scalar = UInt8 }
extension UInt16: NDArrayNesting { typealias Scalar = UInt16 }
extension UInt32: NDArrayNesting { typealias Scalar = UInt32 }
extension UInt64: NDArrayNesting { typealias Scalar = UInt64 }

extension Array: NDArrayNesting where Element: NDArrayNesting {
    typealias Scalar = Element.Scalar

    static var rank: Int { Element.rank + 1 }

    static func nested(from flat: UnsafeBufferPointer<Scalar>, shape: ArraySlice<Int>) -> [Element] {
        // A row of numbers is one copy; the identity cast from [Scalar] to [Element] (the same type) costs nothing.
        if Element.rank == 0 { return Array<Scalar>(flat) as! [Element] }
        let count = shape.first ?? 0
        let inner = shape.dropFirst()
        let stride = inner.reduce(1, *)
        return (0..<count).map { index in
            Element.nested(from: UnsafeBufferPointer(rebasing: flat[index * stride..<(index + 1) * stride]),
                           shape: inner)
        }
    }

    func flatten(into flat: inout [Scalar], shape: inout [Int], depth: Int) throws(JinnError) {
        if depth == shape.count {
            shape.append(count)
        } else if shape[depth] != count {
            throw .valueConversion("an ndarray needs rows of one length; at depth \(depth) one has \(count)"
                                   + " elements and another \(shape[depth])")
        }
        if Element.rank == 0 {
            flat.append(contentsOf: self as! [Scalar])
        } else {
            for element in self { try element.flatten(into: &flat, shape: &shape, depth: depth + 1) }
        }
    }
}

/// Decoding and making ndarrays for any ``NDArrayNesting`` type.
enum NDArrays {
    /// `type`'s rank and dtype when it is an array of numbers; nil for other types.
    static func arrayType(_ type: Any.Type) -> (any NDArrayNesting.Type)? {
        guard let array = type as? any NDArrayNesting.Type, array.rank > 0 else { return nil }
        return array
    }

    /// A value of `type` from an array's dtype, shape and bytes.
    ///
    /// - Throws: ``JinnError/valueConversion(_:)`` naming the type and rank expected and the array found.
    static func decode<Value: NDArrayNesting>(_ type: Value.Type, dtype: String, shape: [Int], pieces: [[UInt8]],
                                              describing root: String) throws(JinnError) -> Value
    {
        if pieces.count == 1 {
            return try pieces[0].withUnsafeBytes { bytes in
                Result { () throws(JinnError) in
                    try decode(type, dtype: dtype, shape: shape, bytes: bytes, pieces: nil, describing: root)
                }
            }.get()
        }
        if dtype == Value.Scalar.dtype {
            return try decode(type, dtype: dtype, shape: shape, bytes: nil, pieces: pieces, describing: root)
        }
        let joined = Array(pieces.joined())
        return try joined.withUnsafeBytes { bytes in
            Result { () throws(JinnError) in
                try decode(type, dtype: dtype, shape: shape, bytes: bytes, pieces: nil, describing: root)
            }
        }.get()
    }

    /// Decodes `bytes`, or the `pieces` that follow each other when the dtype is the scalar's own.
    private static func decode<Value: NDArrayNesting>(_ type: Value.Type, dtype: String, shape: [Int],
                                                      bytes: UnsafeRawBufferPointer?, pieces: [[UInt8]]?,
                                                      describing root: String) throws(JinnError) -> Value
    {
        let found = "an ndarray of \(dtypeName(dtype)) and shape \(shapeDescription(shape))"
        guard shape.count == Value.rank else {
            throw .valueConversion("\(root): expected an array of rank \(Value.rank) for \(swiftName(Value.self)),"
                                   + " found \(found)")
        }
        let count = shape.reduce(1, *)
        let flat: [Value.Scalar]
        if dtype == Value.Scalar.dtype {
            // The bytes are the numbers as they are: one copy, piece after piece.
            let size = count * MemoryLayout<Value.Scalar>.stride
            let received = bytes?.count ?? pieces?.reduce(0) { $0 + $1.count } ?? 0
            guard received == size else {
                throw .protocolViolation("the Python side sent \(received) bytes for \(found)")
            }
            flat = Array(unsafeUninitializedCapacity: count) { buffer, initialized in
                let target = UnsafeMutableRawPointer(buffer.baseAddress)
                if let bytes, size > 0 {
                    target!.copyMemory(from: bytes.baseAddress!, byteCount: size)
                } else if let pieces {
                    var offset = 0
                    for piece in pieces where !piece.isEmpty {
                        piece.withUnsafeBytes { target!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                        offset += piece.count
                    }
                }
                initialized = count
            }
        } else {
            do {
                guard let bytes, let converted = try Value.Scalar.converted(NDArraySource(dtype: dtype, bytes: bytes))
                else {
                    throw JinnError.valueConversion(
                        "\(root): expected \(dtypeName(Value.Scalar.dtype)) numbers for \(swiftName(Value.self)),"
                            + " found \(found)")
                }
                flat = converted
            } catch let NDArrayMismatch.element(index, value) {
                throw .valueConversion("\(root): the element at \(index) of \(found), \(value), does not fit in"
                                       + " \(Value.Scalar.self)")
            } catch {
                throw error as! JinnError
            }
        }
        guard flat.count == count else {
            throw .protocolViolation("the Python side sent \(flat.count) numbers for an array of shape"
                                     + " \(shapeDescription(shape))")
        }
        if Value.rank == 1 { return flat as! Value }  // the identity cast: no copy
        return flat.withUnsafeBufferPointer { Value.nested(from: $0, shape: shape[...]) }
    }

    /// Throws the error that decoding an array of `dtype` and `shape` into `type` would throw for its rank or
    /// dtype, before its bytes are read.
    static func check<Value: NDArrayNesting>(_ type: Value.Type, dtype: String, shape: [Int],
                                             describing root: String) throws(JinnError)
    {
        let found = "an ndarray of \(dtypeName(dtype)) and shape \(shapeDescription(shape))"
        guard shape.count == Value.rank else {
            throw .valueConversion("\(root): expected an array of rank \(Value.rank) for \(swiftName(Value.self)),"
                                   + " found \(found)")
        }
        guard dtype == Value.Scalar.dtype
            || (try? Value.Scalar.converted(NDArraySource(dtype: dtype, bytes: UnsafeRawBufferPointer(start: nil, count: 0))))
                != nil
        else {
            throw .valueConversion("\(root): expected \(dtypeName(Value.Scalar.dtype)) numbers for"
                                   + " \(swiftName(Value.self)), found \(found)")
        }
    }

    /// The numbers of an array whose dtype is the scalar's own, copied in as its pieces arrive, so that the copy
    /// of one piece overlaps the reading of the next.
    struct Assembly<Value: NDArrayNesting> {
        private var flat: [Value.Scalar]
        private let shape: [Int]
        private var copied = 0

        init(shape: [Int]) {
            let count = shape.reduce(1, *)
            self.shape = shape
            // The scalars are plain bytes (trivial types), every one of which a piece overwrites before the array
            // is read (``value()`` checks that the pieces covered it): filling it first would cost as much as a
            // copy of the array.
            precondition(_isPOD(Value.Scalar.self))
            flat = Array(unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        }

        /// The number of bytes the array holds.
        var size: Int { flat.count * MemoryLayout<Value.Scalar>.stride }

        /// Copies a piece that starts `offset` bytes into the array; pieces come in order, one after the other.
        mutating func copy(_ piece: [UInt8], at offset: Int) throws(JinnError) {
            guard offset == copied, offset + piece.count <= size else {
                throw .protocolViolation("the Python side sent a piece of \(piece.count) bytes at \(offset) for an"
                                         + " array of \(size) bytes")
            }
            flat.withUnsafeMutableBytes { target in
                piece.withUnsafeBytes { target.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!,
                                                                                            byteCount: $0.count) }
            }
            copied += piece.count
        }

        /// The array, once every piece is in.
        func value() throws(JinnError) -> Value {
            guard copied == size else {
                throw .protocolViolation("the Python side sent \(copied) of the \(size) bytes of an array")
            }
            if Value.rank == 1 { return flat as! Value }  // the identity cast: no copy
            return flat.withUnsafeBufferPointer { Value.nested(from: $0, shape: shape[...]) }
        }
    }

    /// The node of a numpy array made from `values`.
    static func node<Value: NDArrayNesting>(_ values: Value) throws(JinnError) -> ObjectNode {
        var flat: [Value.Scalar] = []
        var shape: [Int] = []
        try values.flatten(into: &flat, shape: &shape, depth: 0)
        while shape.count < Value.rank { shape.append(0) }  // the inner lengths of an empty array
        let bytes = flat.withUnsafeBytes { Array($0) }
        return .array(dtype: Value.Scalar.dtype, shape: shape, bytes: bytes)
    }

    /// `[[Double]]`: the type as Swift code writes it.
    static func swiftName<Value: NDArrayNesting>(_ type: Value.Type) -> String {
        String(repeating: "[", count: Value.rank) + "\(Value.Scalar.self)" + String(repeating: "]", count: Value.rank)
    }

    /// `(2, 3)`, `(5,)`, `()`.
    static func shapeDescription(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
