/// The order of a ``SharedArray``'s elements in memory.
public enum SharedArrayOrder: Sendable, Hashable {
    /// Row-major: the last index varies fastest (numpy's default, `order="C"`).
    case c
    /// Column-major: the first index varies fastest (`order="F"`).
    case fortran
}

/// An n-dimensional array of numbers in shared memory, which Python sees as a numpy `ndarray` over the same
/// pages: nothing is copied or sent when either side reads or writes it.
///
/// The segment starts with a header (magic, version, dtype, shape, strides; see the README) and the elements
/// follow at an offset aligned to 64 bytes. An array is a reference to its segment: copies of the value share the
/// elements, and the segment stays mapped while any copy lives.
///
/// ```swift
/// let grid = try SharedArray<Double>(shape: [2, 3])           // anonymous, zeros, C order
/// grid[1, 2] = 7
/// let total: Double = try await python.call("numpy.sum", grid) // Python gets an ndarray view
/// let named = try SharedArray<Float>(shape: [4], order: .fortran, name: "jinn-readme-array")
/// // Python: jinn.shared_array("jinn-readme-array") is a float32 ndarray of shape (4,)
/// ```
public struct SharedArray<Element: SharedArrayElement>: Sendable {
    /// The segment that holds the header and the elements.
    public let memory: SharedMemory
    /// The length of each dimension.
    public let shape: [Int]
    /// The order of the elements in memory.
    public let order: SharedArrayOrder
    /// How many elements one step along each dimension skips.
    public let strides: [Int]
    /// The number of elements.
    public let count: Int
    private nonisolated(unsafe) let elements: UnsafeMutablePointer<Element>

    /// Creates an anonymous array of zeros, which Python receives as a call's argument.
    ///
    /// - Throws: ``SharedMemoryError/invalidSize(_:)`` for a negative dimension, a rank above 32 or a size that
    ///   overflows.
    public init(shape: [Int], order: SharedArrayOrder = .c) throws(JinnError) {
        let header = SharedArrayHeader(typeString: Element.typeString, elementSize: MemoryLayout<Element>.stride,
                                       shape: shape, order: order)
        let memory = try SharedMemory(size: try header.segmentSize())
        header.write(to: memory.baseAddress)
        self.init(memory: memory, header: header)
    }

    /// Creates the named array `name`, zeros, owned by this process, for other processes to open by name
    /// (`jinn.shared_array(name)` in Python, ``init(opening:)`` in Swift).
    ///
    /// - Throws: as ``SharedMemory/init(creating:size:)``, and as ``init(shape:order:)`` for the shape.
    public init(shape: [Int], order: SharedArrayOrder = .c, name: String) throws(JinnError) {
        let header = SharedArrayHeader(typeString: Element.typeString, elementSize: MemoryLayout<Element>.stride,
                                       shape: shape, order: order)
        let memory = try SharedMemory(creating: name, size: try header.segmentSize())
        header.write(to: memory.baseAddress)
        self.init(memory: memory, header: header)
    }

    /// Opens the named array `name`, made by this or another process (Python's `jinn.create_shared_array`).
    ///
    /// - Throws: ``SharedMemoryError/notFound(name:)``; ``SharedMemoryError/headerMismatch(segment:field:expected:found:)``
    ///   when the segment is not an array of `Element` (its magic, version, dtype or sizes differ);
    ///   ``SharedMemoryError/shapeTooLarge(segment:shape:bytes:segmentSize:)`` when its header describes more than
    ///   the segment holds. Nothing stays mapped after an error.
    public init(opening name: String) throws(JinnError) {
        try self.init(memory: try SharedMemory(opening: name))
    }

    /// The array whose header is at the start of `memory`, checked.
    public init(memory: SharedMemory) throws(JinnError) {
        let header = try SharedArrayHeader.read(from: memory, typeString: Element.typeString,
                                                elementSize: MemoryLayout<Element>.stride)
        self.init(memory: memory, header: header)
    }

    private init(memory: SharedMemory, header: SharedArrayHeader) {
        self.memory = memory
        self.shape = header.shape
        self.order = header.order
        self.strides = header.elementStrides
        self.count = SharedArrayHeader.count(of: header.shape, elementSize: 1)!.count
        self.elements = (memory.baseAddress + header.dataOffset).bindMemory(to: Element.self, capacity: count)
    }

    /// The element at `indices`, one per dimension; an index out of its dimension's range is a programming error.
    public subscript(indices: Int...) -> Element {
        get { elements[offset(of: indices)] }
        nonmutating set { elements[offset(of: indices)] = newValue }
    }

    /// The element at `indices`, one per dimension.
    public subscript(indices indices: [Int]) -> Element {
        get { elements[offset(of: indices)] }
        nonmutating set { elements[offset(of: indices)] = newValue }
    }

    private func offset(of indices: [Int]) -> Int {
        precondition(indices.count == shape.count, "\(indices.count) indices for an array of rank \(shape.count)")
        var offset = 0
        for (dimension, index) in indices.enumerated() {
            precondition(index >= 0 && index < shape[dimension],
                         "index \(index) is out of range for dimension \(dimension) of length \(shape[dimension])")
            offset += index * strides[dimension]
        }
        return offset
    }

    /// Calls `body` with the elements in memory order (see ``order``).
    public func withUnsafeBufferPointer<Result, Failure: Error>(
        _ body: (UnsafeBufferPointer<Element>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try withExtendedLifetime(memory) { () throws(Failure) -> Result in
            try body(UnsafeBufferPointer(start: elements, count: count))
        }
    }

    /// Calls `body` with the elements in memory order, to change them.
    public func withUnsafeMutableBufferPointer<Result, Failure: Error>(
        _ body: (UnsafeMutableBufferPointer<Element>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try withExtendedLifetime(memory) { () throws(Failure) -> Result in
            try body(UnsafeMutableBufferPointer(start: elements, count: count))
        }
    }
}
