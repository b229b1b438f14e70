import JinnWire

extension PythonProcess {
    /// Imports a module and returns a handle to it, as Python's `import` does.
    ///
    /// ```swift
    /// let np = try await python.import("numpy")
    /// let samples = try await np.linspace(0, 1, num: 5)
    /// ```
    ///
    /// - Throws: ``JinnError/python(_:termination:)`` with the `ModuleNotFoundError` (or whatever the module
    ///   raised while it was imported).
    public func `import`(_ module: String, timeout: Duration? = nil) async throws(JinnError) -> PythonObject {
        let reply = try await performObjectOperation(.importModule, [.string(module)], timeout: timeout,
                                                     operation: "the import of \(module)")
        return try ObjectReply.object(reply, process: self)
    }

    /// The object a dotted name names: a module followed by attributes, such as `"numpy.linalg.solve"` or
    /// `"collections.OrderedDict"`; a bare name is looked up in `__main__`, then in the builtins, then as a module.
    ///
    /// ```swift
    /// let solve = try await python.object("numpy.linalg.solve")
    /// let x = try await solve([[3.0, 1.0], [1.0, 2.0]], [9.0, 8.0])
    /// ```
    ///
    /// The modules are imported as needed. Plain data (`"math.pi"`) comes back as a value, anything else as a
    /// handle.
    public func object(_ name: String, timeout: Duration? = nil) async throws(JinnError) -> PythonObject {
        let reply = try await performObjectOperation(.lookup, [.string(name)], timeout: timeout,
                                                     operation: "the look-up of \(name)")
        return try ObjectReply.object(reply, process: self)
    }

    /// Evaluates a Python expression in `__main__`'s namespace and returns its value; a name that is neither
    /// defined there nor a builtin is imported as a module, so `"numpy.pi"` needs no import first.
    ///
    /// ```swift
    /// let grid = try await python.evaluate("numpy.mgrid[0:3, 0:3]")
    /// ```
    public func evaluate(_ expression: String, timeout: Duration? = nil) async throws(JinnError) -> PythonObject {
        let reply = try await performObjectOperation(.evaluate, [.string(expression)], timeout: timeout,
                                                     operation: "the evaluation of \(expression)")
        return try ObjectReply.object(reply, process: self)
    }

    /// Evaluates a Python expression, as ``evaluate(_:timeout:)`` does, and decodes its value in the same
    /// exchange.
    ///
    /// ```swift
    /// let pi = try await python.evaluate("numpy.pi", as: Double.self)
    /// ```
    ///
    /// The value decodes as ``PythonObject/decode(_:timeout:)`` describes, numpy arrays into arrays of numbers
    /// included.
    public func evaluate<Value: Decodable>(_ expression: String, as type: Value.Type,
                                           timeout: Duration? = nil) async throws(JinnError) -> Value
    {
        let mode = NDArrays.arrayType(Value.self) == nil ? ObjectMode.plain : .array
        let reply = try await performObjectOperation(.evaluate, [.string(expression), .int(mode.rawValue)],
                                                     timeout: timeout, operation: "the evaluation of \(expression)")
        return try await ObjectReply.decode(Value.self, from: reply, process: self, timeout: timeout,
                                            describing: "the value of \(expression)")
    }
}
