import JinnWire

/// What a ``PythonObject`` names, as a tree that the Python side evaluates when an operation needs it: plain data,
/// a handle, attributes and items of other nodes, and containers built of them.
///
/// An attribute chain such as `np.linalg.solve` is a node until an operation sends it, so that the whole chain
/// crosses to Python with that operation. `jinn/_objects.py` describes the wire format.
enum ObjectNode: Sendable {
    /// Plain data.
    case value(PythonValue)
    /// A live object of the handle's process.
    case handle(ObjectHandle)
    /// An attribute of an object.
    indirect case attribute(ObjectNode, String)
    /// An item of an object (a tuple of keys for `a[1, 2]`).
    indirect case item(ObjectNode, key: ObjectNode)
    /// A list or tuple of objects that are not all plain data.
    case list([ObjectNode]), tuple([ObjectNode])
    /// A dict whose keys or values are not all plain data.
    case dict([(key: ObjectNode, value: ObjectNode)])
    /// A set whose elements are not all plain data.
    case set([ObjectNode])
    /// A numpy array to make from these bytes: `dtype` as in `"f8"`, native byte order, C order.
    indirect case array(dtype: String, shape: [Int], bytes: [UInt8])
    /// A slice.
    indirect case slice(ObjectNode, ObjectNode, ObjectNode)
    /// A numpy array over a shared-memory segment that holds a ``SharedArray``.
    case shared(SharedMemory)
    /// A conversion that failed when the node was made; an operation that uses the node throws the error.
    case failure(JinnError)

    /// A list: plain data when every element is.
    static func list(of elements: [ObjectNode]) -> ObjectNode {
        if let values = plainValues(elements) { return .value(.list(values)) }
        return .list(elements)
    }

    /// A tuple: plain data when every element is.
    static func tuple(of elements: [ObjectNode]) -> ObjectNode {
        if let values = plainValues(elements) { return .value(.tuple(values)) }
        return .tuple(elements)
    }

    /// A set: plain data when every element is.
    static func set(of elements: [ObjectNode]) -> ObjectNode {
        if let values = plainValues(elements) { return .value(.set(values)) }
        return .set(elements)
    }

    /// A dict: plain data when every key and value is.
    static func dict(of items: [(key: ObjectNode, value: ObjectNode)]) -> ObjectNode {
        var plain: [PythonValue.Item] = []
        plain.reserveCapacity(items.count)
        for item in items {
            guard case .value(let key) = item.key, case .value(let value) = item.value else { return .dict(items) }
            plain.append(.init(key, value))
        }
        return .value(.dict(plain))
    }

    private static func plainValues(_ nodes: [ObjectNode]) -> [PythonValue]? {
        var values: [PythonValue] = []
        values.reserveCapacity(nodes.count)
        for node in nodes {
            guard case .value(let value) = node else { return nil }
            values.append(value)
        }
        return values
    }

    /// The node as `jinn._objects` reads it, for an operation of `process`.
    ///
    /// - Throws: ``JinnError/valueConversion(_:)`` for a handle of another process, which means nothing there,
    ///   and the error of a conversion that failed.
    func wire(for process: PythonProcess) throws(JinnError) -> PythonValue {
        switch self {
        case .value(let value):
            if case .tuple = value { return .tuple([.int(0), value]) }
            return value
        case .handle(let handle):
            guard handle.process === process else {
                throw .valueConversion(
                    "a handle to a \(handle.typeName) object of the Python process \(handle.process.processIdentifier)"
                        + " was passed to the process \(process.processIdentifier); a handle works only with the"
                        + " process it came from (decode the object into a Swift value to pass it on)")
            }
            return .tuple([.int(1), .int(handle.id)])
        case .attribute(let base, let name):
            return .tuple([.int(2), try base.wire(for: process), .string(name)])
        case .item(let base, let key):
            return .tuple([.int(3), try base.wire(for: process), try key.wire(for: process)])
        case .list(let elements):
            return .tuple([.int(4), .list(try Self.wire(elements, for: process))])
        case .tuple(let elements):
            return .tuple([.int(5), .list(try Self.wire(elements, for: process))])
        case .set(let elements):
            return .tuple([.int(9), .list(try Self.wire(elements, for: process))])
        case .dict(let items):
            var pairs: [PythonValue] = []
            pairs.reserveCapacity(items.count)
            for item in items {
                pairs.append(.tuple([try item.key.wire(for: process), try item.value.wire(for: process)]))
            }
            return .tuple([.int(6), .list(pairs)])
        case .array(let dtype, let shape, let bytes):
            return .tuple([.int(7), .string(dtype), .tuple(shape.map { .int($0) }), .bytes(bytes)])
        case .slice(let start, let stop, let step):
            return .tuple([.int(8), try start.wire(for: process), try stop.wire(for: process),
                           try step.wire(for: process)])
        case .shared(let memory):
            return .tuple([.int(10), try process.sharedDescriptors.argument(for: memory, of: process)])
        case .failure(let error):
            throw error
        }
    }

    private static func wire(_ nodes: [ObjectNode], for process: PythonProcess) throws(JinnError) -> [PythonValue] {
        var values: [PythonValue] = []
        values.reserveCapacity(nodes.count)
        for node in nodes { values.append(try node.wire(for: process)) }
        return values
    }

    /// The process of the first handle in the node, if any.
    var process: PythonProcess? {
        switch self {
        case .handle(let handle): return handle.process
        case .attribute(let base, _): return base.process
        case .item(let base, let key): return base.process ?? key.process
        case .list(let elements), .tuple(let elements), .set(let elements):
            return elements.lazy.compactMap(\.process).first
        case .dict(let items): return items.lazy.compactMap { $0.key.process ?? $0.value.process }.first
        case .slice(let start, let stop, let step): return start.process ?? stop.process ?? step.process
        case .value, .array, .shared, .failure: return nil
        }
    }

    /// What operations name in their errors: the description, made cheaply for the most common node, a method of
    /// a handle's object (`numpy.ndarray.mean`), since every operation makes it.
    var label: String {
        switch self {
        case .attribute(.handle(let handle), let name): return handle.typeName + "." + name
        case .handle(let handle): return handle.typeName
        default: return description
        }
    }

    /// The node as Python code would write it: `<numpy.ndarray #3>.T[0, 1:2]`.
    var description: String {
        switch self {
        case .value(let value): return Self.brief(value)
        case .handle(let handle): return "<\(handle.typeName) #\(handle.id)>"
        case .attribute(let base, let name): return "\(base.description).\(name)"
        case .item(let base, let key):
            if case .value(.tuple(let keys)) = key, !keys.isEmpty {
                return "\(base.description)[\(keys.map(\.description).joined(separator: ", "))]"
            }
            if case .tuple(let keys) = key, !keys.isEmpty {
                return "\(base.description)[\(keys.map(\.sliceDescription).joined(separator: ", "))]"
            }
            return "\(base.description)[\(key.sliceDescription)]"
        case .list(let elements): return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .set(let elements): return "{" + elements.map(\.description).joined(separator: ", ") + "}"
        case .tuple(let elements):
            if elements.count == 1 { return "(\(elements[0].description),)" }
            return "(" + elements.map(\.description).joined(separator: ", ") + ")"
        case .dict(let items):
            return "{" + items.map { "\($0.key.description): \($0.value.description)" }.joined(separator: ", ") + "}"
        case .array(let dtype, let shape, _):
            return "<ndarray of \(dtype) and shape (\(shape.map(String.init).joined(separator: ", ")))>"
        case .slice(let start, let stop, let step): return "slice(\(start.description), \(stop.description), \(step.description))"
        case .shared(let memory): return "<ndarray in \(memory.label)>"
        case .failure(let error): return "<\(error)>"
        }
    }

    /// A value as Python writes it, or what it is when that would be long (`list of 1000 elements`).
    private static func brief(_ value: PythonValue) -> String {
        let long = switch value {
        case .list(let elements), .tuple(let elements), .set(let elements): elements.count > 8
        case .dict(let items): items.count > 8
        case .bytes(let bytes): bytes.count > 32
        case .string(let text): text.utf8.count > 40
        default: false
        }
        return long ? value.found : value.description
    }

    private var sliceDescription: String {
        guard case .slice(let start, let stop, let step) = self else { return description }
        func part(_ node: ObjectNode) -> String {
            if case .value(.none) = node { return "" }
            return node.description
        }
        let steps = if case .value(.none) = step { "" } else { ":" + step.description }
        return part(start) + ":" + part(stop) + steps
    }
}
