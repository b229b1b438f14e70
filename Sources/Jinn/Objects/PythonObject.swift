import JinnWire

/// A Python object of a running ``PythonProcess``, used from Swift as Python code uses it: attributes, calls,
/// items, operators, iteration.
///
/// ```swift
/// let np = try await python.import("numpy")
/// let samples = try await np.linspace(0, 1, num: 5)          // a handle to the ndarray
/// let values = try await samples.decode([Double].self)       // [0.0, 0.25, 0.5, 0.75, 1.0]
/// let mean = try await samples.mean().decode(Double.self)    // 0.5
/// let x = try await np.linalg.solve([[3.0, 1.0], [1.0, 2.0]], [9.0, 8.0])
/// ```
///
/// What a Python operation returns comes back either as plain data (None, bool, int, float, str, bytes, and lists,
/// tuples, dicts and sets of them; numpy's scalars count as numbers), which the object holds as a ``PythonValue``,
/// or as a *handle*: the object stays alive in the Python process until the last copy of the `PythonObject` that
/// holds the handle is gone. Every operation crosses to the process, so every one is `async` and throws a
/// ``JinnError``: an exception as ``JinnError/python(_:termination:)`` (a missing attribute is an
/// `AttributeError` naming it), a process that has ended as ``JinnError/processNotRunning(_:)``.
///
/// Reading an attribute (`np.linalg`) or an item (`a[0]`) crosses nothing yet: it makes an object that names the
/// attribute, and the operation that uses it (a call, ``decode(_:timeout:)``, ``fetch(timeout:)``) sends the whole
/// chain in one exchange. `try await np.linalg.solve(a, b)` crosses once.
///
/// A handle belongs to its process: passing it to another process is refused with
/// ``JinnError/valueConversion(_:)``. Members of `PythonObject` itself (``decode(_:timeout:)``,
/// ``length(timeout:)``, ``fetch(timeout:)``…) hide Python attributes of the same name; reach those with
/// ``attribute(_:)``.
@dynamicMemberLookup
@dynamicCallable
public struct PythonObject: Sendable {
    /// The process the object belongs to; nil for a value made in Swift (``init(_:)``), which any process takes as
    /// an argument.
    public let pythonProcess: PythonProcess?
    /// What the object names: plain data, a handle, or a path from one.
    let node: ObjectNode

    init(_ node: ObjectNode, process: PythonProcess?) {
        self.node = node
        self.pythonProcess = process ?? node.process
    }

    /// Plain data, for use as an argument or an operand.
    ///
    /// ```swift
    /// let total = try await np.sum(PythonObject([1, 2.5, 4]))
    /// ```
    public init(_ value: PythonValue) {
        self.init(.value(value), process: nil)
    }

    /// A value encoded as ``PythonValueEncoder`` encodes it, for use as an argument or an operand.
    ///
    /// ```swift
    /// struct Point: Codable { var x: Double; var y: Double }
    /// let text = try await json.dumps(PythonObject(encoding: Point(x: 1, y: 2)))   // '{"x": 1.0, "y": 2.0}'
    /// ```
    ///
    /// - Throws: ``JinnError/valueConversion(_:)`` when the value's `encode(to:)` fails.
    public init<Value: Encodable>(encoding value: Value) throws(JinnError) {
        self.init(try PythonValueEncoder().encode(value))
    }

    /// A numpy array made from Swift numbers, whose bytes cross once (never as a list of Python numbers).
    ///
    /// ```swift
    /// let samples = try PythonObject(ndarray: readings)              // [Double]: a float64 array
    /// let image = try PythonObject(ndarray: pixels)                  // [[UInt8]]: a uint8 array of rank 2
    /// let spectrum = try await np.fft.rfft(samples)
    /// ```
    ///
    /// The elements are `Double` (float64), `Float` (float32), `Int`, `Int8`…`Int64`, `UInt`, `UInt8`…`UInt64`
    /// or `Bool`, or arrays of them nested to the array's rank. The process that receives the object makes the
    /// array (it imports numpy then).
    ///
    /// - Throws: ``JinnError/valueConversion(_:)`` when the elements are not numbers, or the rows of a nested
    ///   array differ in length.
    public init<Element>(ndarray values: [Element]) throws(JinnError) {
        guard let type = NDArrays.arrayType([Element].self) else {
            throw .valueConversion("an ndarray is made of numbers (Double, Float, Int…, Bool) or arrays of them,"
                                   + " not of \(Element.self)")
        }
        self.init(try Self.arrayNode(values, as: type), process: nil)
    }

    private static func arrayNode<Array: NDArrayNesting>(_ values: Any, as type: Array.Type) throws(JinnError)
        -> ObjectNode
    {
        try NDArrays.node(values as! Array)
    }

    /// A Python tuple of the elements, which may be handles: `PythonObject(tuple: [2, 3])` is `(2, 3)`.
    ///
    /// (`None` is `PythonValue.none`, or `nil` of an optional type.) These are initializers rather than static
    /// members named `tuple` and `none`, which `.tuple(…)` and `.none` beside a ``PythonValue`` would reach.
    public init(tuple elements: [any PythonObjectConvertible]) {
        self.init(.tuple(of: elements.map(ObjectNode.init(converting:))), process: nil)
    }

    /// A Python slice, `start:stop:step`, for items: `a[PythonObject.slice(nil, nil, step: 2)]` is `a[::2]`.
    ///
    /// Swift ranges are slices too: `a[1..<3]` is `a[1:3]`, `a[2...]` is `a[2:]`, `a[...]` is `a[:]`.
    public static func slice(_ start: Int? = nil, _ stop: Int? = nil, step: Int? = nil) -> PythonObject {
        PythonObject(.slice(.value(start.map { .int($0) } ?? .none), .value(stop.map { .int($0) } ?? .none),
                            .value(step.map { .int($0) } ?? .none)), process: nil)
    }

    /// The attribute `name`, read when an operation uses it (`np.pi`, `np.linalg.solve`).
    public subscript(dynamicMember name: String) -> PythonObject {
        attribute(name)
    }

    /// The attribute `name`, for names that ``PythonObject``'s own members hide, or that are not Swift names.
    ///
    /// ```swift
    /// let count = try await words.attribute("count")("the")    // list.count, not length()
    /// ```
    public func attribute(_ name: String) -> PythonObject {
        PythonObject(.attribute(node, name), process: pythonProcess)
    }

    /// The item at `keys`: `a[0]`, `a[1, 2]` (the tuple `(1, 2)`), `a[1..<3]`, `d["name"]`; read when an
    /// operation uses it.
    ///
    /// ```swift
    /// let corner = try await matrix[0, 0].decode(Double.self)
    /// let head = try await matrix[..<2].decode([[Double]].self)
    /// ```
    public subscript(_ keys: any PythonObjectConvertible...) -> PythonObject {
        PythonObject(.item(node, key: ObjectNode(key: keys)), process: pythonProcess)
    }

    /// The whole of the object as a slice, `a[:]`.
    public subscript(_ all: UnboundedRange) -> PythonObject {
        self[PythonObject.slice()]
    }
}

extension ObjectNode {
    /// The node of a value converted to a Python object, or the failure of its conversion.
    init(converting value: any PythonObjectConvertible) {
        do throws(JinnError) {
            self = try value.pythonObject.node
        } catch {
            self = .failure(error)
        }
    }

    /// The key of an item: one key, or a tuple of several.
    init(key keys: [any PythonObjectConvertible]) {
        self = keys.count == 1 ? ObjectNode(converting: keys[0]) : .tuple(of: keys.map(ObjectNode.init(converting:)))
    }
}

extension PythonObject: CustomDebugStringConvertible {
    /// The object as Jinn knows it without asking Python: `PythonObject(<numpy.ndarray #3>.T, process 123)`.
    ///
    /// Python's own `repr()` and `str()` are ``repr(timeout:)`` and ``string(timeout:)``.
    public var debugDescription: String {
        "PythonObject(\(node.description)" + (pythonProcess.map { ", process \($0.processIdentifier))" } ?? ")")
    }
}
