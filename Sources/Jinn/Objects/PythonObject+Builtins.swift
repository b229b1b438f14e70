import JinnWire

extension PythonObject {
    /// Python's `len(object)`.
    ///
    /// ```swift
    /// let count = try await np.arange(10).length()   // 10
    /// ```
    public func length(timeout: Duration? = nil) async throws(JinnError) -> Int {
        try await Self.operate("len", [self], timeout: timeout).decode(Int.self)
    }

    /// Python's `repr(object)`: `"array([0.  , 0.25, 0.5 ])"`.
    public func repr(timeout: Duration? = nil) async throws(JinnError) -> String {
        try await Self.operate("repr", [self], timeout: timeout).decode(String.self)
    }

    /// Python's `str(object)`: `"[0.   0.25 0.5 ]"`.
    public func string(timeout: Duration? = nil) async throws(JinnError) -> String {
        try await Self.operate("str", [self], timeout: timeout).decode(String.self)
    }

    /// The object's truth, as `if object:` sees it in Python (`bool(object)`).
    ///
    /// ```swift
    /// if try await queue.isTrue() { … }
    /// ```
    ///
    /// - Throws: ``JinnError/python(_:termination:)`` for an object without one truth value, such as a numpy
    ///   array of several elements (a `ValueError`, as in Python).
    public func isTrue(timeout: Duration? = nil) async throws(JinnError) -> Bool {
        try await Self.test("truth", [self], timeout: timeout)
    }

    /// Python's `element in object`.
    ///
    /// ```swift
    /// let known = try await names.contains("Ada")
    /// ```
    public func contains(_ element: any PythonObjectConvertible, timeout: Duration? = nil) async throws(JinnError)
        -> Bool
    {
        try await Self.test("contains", [self, PythonObject(.init(converting: element), process: nil)],
                            timeout: timeout)
    }

    /// Whether both objects are the same Python object (Python's `is`).
    public func isIdentical(to other: PythonObject, timeout: Duration? = nil) async throws(JinnError) -> Bool {
        try await Self.test("is_", [self, other], timeout: timeout)
    }

    /// Applies an operator or builtin of `jinn._objects.operate` to the operands, in the process of the first
    /// operand that has one.
    static func operate(_ name: String, _ operands: [PythonObject], timeout: Duration? = nil)
        async throws(JinnError) -> PythonObject
    {
        let process = try owner(of: operands, for: name)
        let reply = try await process.performObjectOperation(
            .operate, [.string(name)] + (try wire(operands, for: process)), timeout: timeout,
            operation: "Python's \(name) of \(operands.map(\.node.label).joined(separator: ", "))")
        withExtendedLifetime(operands) {}
        return try ObjectReply.object(reply, process: process)
    }

    /// The truth of an operator's result, as `if a < b:` sees it.
    static func test(_ name: String, _ operands: [PythonObject], timeout: Duration? = nil) async throws(JinnError)
        -> Bool
    {
        let process = try owner(of: operands, for: name)
        let reply = try await process.performObjectOperation(
            .test, [.string(name)] + (try wire(operands, for: process)), timeout: timeout,
            operation: "Python's \(name) of \(operands.map(\.node.label).joined(separator: ", "))")
        withExtendedLifetime(operands) {}
        guard case .bool(let truth) = reply else {
            throw .protocolViolation("the Python side answered a truth test with \(reply.found)")
        }
        return truth
    }

    private static func owner(of operands: [PythonObject], for name: String) throws(JinnError) -> PythonProcess {
        if let process = operands.lazy.compactMap(\.pythonProcess).first { return process }
        return try operands[0].owner(for: "Python's \(name)")
    }

    private static func wire(_ operands: [PythonObject], for process: PythonProcess) throws(JinnError)
        -> [PythonValue]
    {
        var values: [PythonValue] = []
        for operand in operands { values.append(try operand.node.wire(for: process)) }
        return values
    }
}
