/// The header at the start of a shared array's segment, which `jinn/_shared.py` reads and writes too.
///
/// Every field is little-endian:
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | magic, `JINNARRY` |
/// | 8 | 4 | version, 1 |
/// | 12 | 4 | rank (0 to 32) |
/// | 16 | 8 | dtype: numpy's type string (`<f4`), NUL-padded |
/// | 24 | 8 | data offset from the segment's start, a multiple of 64 |
/// | 32 | 8 | data size in bytes |
/// | 40 | 4 | flags: bit 0 set for Fortran order |
/// | 44 | 4 | element size in bytes |
/// | 48 | 16 | reserved, zero |
/// | 64 | 8 × rank | shape |
/// | 64 + 8 × rank | 8 × rank | strides in bytes |
struct SharedArrayHeader: Equatable {
    static let magic = Array("JINNARRY".utf8)
    static let version: UInt32 = 1
    static let maximumRank = 32

    var typeString: String
    var elementSize: Int
    var shape: [Int]
    var order: SharedArrayOrder

    /// The strides in elements.
    var elementStrides: [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        let indices = order == .c ? Array(shape.indices.reversed()) : Array(shape.indices)
        var step = 1
        for index in indices {
            strides[index] = step
            step *= Swift.max(shape[index], 1)
        }
        return strides
    }

    /// Where the data starts: after the shape and strides, rounded up to 64 bytes.
    var dataOffset: Int { (64 + 16 * shape.count + 63) / 64 * 64 }

    /// The number of elements, or nil when a dimension is negative or the product overflows.
    static func count(of shape: [Int], elementSize: Int) -> (count: Int, bytes: Int)? {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            count = product
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
        return overflow ? nil : (count, bytes)
    }

    /// The segment size an array of this header needs, or an error naming what is wrong with the shape.
    func segmentSize() throws(JinnError) -> Int {
        guard shape.count <= Self.maximumRank else {
            throw .sharedMemory(.invalidSize("rank \(shape.count) is above the limit of \(Self.maximumRank)"))
        }
        if let negative = shape.first(where: { $0 < 0 }) {
            throw .sharedMemory(.invalidSize("shape \(shape) has a negative dimension, \(negative)"))
        }
        guard let (_, bytes) = Self.count(of: shape, elementSize: elementSize) else {
            throw .sharedMemory(.invalidSize("shape \(shape) of \(elementSize)-byte elements overflows"))
        }
        let (total, overflow) = dataOffset.addingReportingOverflow(Swift.max(bytes, 1))
        guard !overflow else { throw .sharedMemory(.invalidSize("shape \(shape) overflows with its header")) }
        return total
    }

    /// Writes the header at `base`.
    func write(to base: UnsafeMutableRawPointer) {
        let bytes = Self.count(of: shape, elementSize: elementSize)?.bytes ?? 0
        base.initializeMemory(as: UInt8.self, repeating: 0, count: dataOffset)
        for (index, byte) in Self.magic.enumerated() { base.storeBytes(of: byte, toByteOffset: index, as: UInt8.self) }
        base.storeBytes(of: Self.version.littleEndian, toByteOffset: 8, as: UInt32.self)
        base.storeBytes(of: UInt32(shape.count).littleEndian, toByteOffset: 12, as: UInt32.self)
        for (index, byte) in typeString.utf8.prefix(8).enumerated() {
            base.storeBytes(of: byte, toByteOffset: 16 + index, as: UInt8.self)
        }
        base.storeBytes(of: UInt64(dataOffset).littleEndian, toByteOffset: 24, as: UInt64.self)
        base.storeBytes(of: UInt64(bytes).littleEndian, toByteOffset: 32, as: UInt64.self)
        base.storeBytes(of: UInt32(order == .fortran ? 1 : 0).littleEndian, toByteOffset: 40, as: UInt32.self)
        base.storeBytes(of: UInt32(elementSize).littleEndian, toByteOffset: 44, as: UInt32.self)
        for (index, dimension) in shape.enumerated() {
            base.storeBytes(of: Int64(dimension).littleEndian, toByteOffset: 64 + 8 * index, as: Int64.self)
        }
        for (index, stride) in elementStrides.enumerated() {
            base.storeBytes(of: Int64(stride * elementSize).littleEndian,
                            toByteOffset: 64 + 8 * (shape.count + index), as: Int64.self)
        }
    }

    /// Reads and checks the header of `segment` for elements of `typeString`, naming the first field that does
    /// not match.
    static func read(from segment: SharedMemory, typeString: String, elementSize: Int) throws(JinnError) -> Self {
        let label = segment.label
        let size = segment.size
        let base = UnsafeRawPointer(segment.baseAddress)
        func mismatch(_ field: String, _ expected: String, _ found: String) -> JinnError {
            .sharedMemory(.headerMismatch(segment: label, field: field, expected: expected, found: found))
        }
        guard size >= 64 else { throw mismatch("size", "at least 64 bytes for a header", "\(size) bytes") }
        let magic = (0..<8).map { base.load(fromByteOffset: $0, as: UInt8.self) }
        guard magic == Self.magic else {
            throw mismatch("magic", "JINNARRY", String(decoding: magic.map { $0 >= 32 && $0 < 127 ? $0 : 63 }, as: UTF8.self))
        }
        let version = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard version == Self.version else { throw mismatch("version", "\(Self.version)", "\(version)") }
        let rank = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
        guard rank <= maximumRank, 64 + 16 * rank <= size else {
            throw mismatch("rank", "at most \(maximumRank), within the segment", "\(rank)")
        }
        let typeBytes = (0..<8).map { base.load(fromByteOffset: 16 + $0, as: UInt8.self) }.prefix { $0 != 0 }
        let foundType = String(decoding: typeBytes, as: UTF8.self)
        guard foundType == typeString else { throw mismatch("dtype", typeString, foundType) }
        let foundSize = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 44, as: UInt32.self)))
        guard foundSize == elementSize else { throw mismatch("element size", "\(elementSize)", "\(foundSize)") }
        let flags = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 40, as: UInt32.self))
        let shape = (0..<rank).map {
            Int(Int64(littleEndian: base.loadUnaligned(fromByteOffset: 64 + 8 * $0, as: Int64.self)))
        }
        let header = Self(typeString: typeString, elementSize: elementSize, shape: shape,
                          order: flags & 1 == 1 ? .fortran : .c)
        guard let (_, bytes) = count(of: shape, elementSize: elementSize) else {
            throw mismatch("shape", "dimensions that are not negative and a size that does not overflow", "\(shape)")
        }
        let strides = (0..<rank).map {
            Int(Int64(littleEndian: base.loadUnaligned(fromByteOffset: 64 + 8 * (rank + $0), as: Int64.self)))
        }
        let expected = header.elementStrides.map { $0 * elementSize }
        guard strides == expected || bytes == 0 else { throw mismatch("strides", "\(expected)", "\(strides)") }
        let offset = Int(truncatingIfNeeded: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
        guard offset == header.dataOffset else { throw mismatch("data offset", "\(header.dataOffset)", "\(offset)") }
        let dataSize = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 32, as: UInt64.self))
        guard dataSize == UInt64(bytes) else { throw mismatch("data size", "\(bytes) bytes", "\(dataSize) bytes") }
        guard bytes <= size - offset else {
            throw .sharedMemory(.shapeTooLarge(segment: label, shape: shape, bytes: offset + bytes, segmentSize: size))
        }
        return header
    }
}
