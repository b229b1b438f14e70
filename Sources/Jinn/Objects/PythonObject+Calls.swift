import JinnWire

extension PythonObject {
    /// Calls the object, with Python's keyword arguments written as Swift's labels.
    ///
    /// ```swift
    /// let samples = try await np.linspace(0, 1, num: 5)
    /// let solution = try await np.linalg.solve(a, b)      // np.linalg.solve crosses with the call, once
    /// try await items.append(4)
    /// ```
    ///
    /// Arguments are Swift values (``PythonObjectConvertible``: numbers, strings, arrays, dictionaries, your own
    /// types) and other objects of the same process. An `async def` function or method is awaited, as a call by
    /// name is. The result is plain data or a handle.
    @discardableResult
    public func dynamicallyCall(withKeywordArguments arguments: KeyValuePairs<String, any PythonObjectConvertible>)
        async throws(JinnError) -> PythonObject
    {
        var positional: [ObjectNode] = []
        var keywords: [(String, ObjectNode)] = []
        for (label, argument) in arguments {
            if label.isEmpty {
                guard keywords.isEmpty else {
                    throw .valueConversion("a positional argument of \(node.description)(…) follows the keyword"
                                           + " argument '\(keywords[keywords.count - 1].0)'; Python takes"
                                           + " positional arguments first")
                }
                positional.append(ObjectNode(converting: argument))
            } else {
                keywords.append((label, ObjectNode(converting: argument)))
            }
        }
        return try await call(positional, keywords, timeout: nil)
    }

    /// Calls the object with a deadline, or with keyword names that are not Swift labels.
    ///
    /// ```swift
    /// let fitted = try await model.fit(arguments: [x, y], keywords: ["class": "auto"], timeout: .seconds(30))
    /// ```
    ///
    /// At the deadline the call throws ``JinnError/timedOut(operation:seconds:)`` and the Python code gets
    /// `KeyboardInterrupt`, as with ``PythonProcess/call(_:_:keywords:timeout:as:)``.
    @discardableResult
    public func call(arguments: [any PythonObjectConvertible] = [],
                     keywords: KeyValuePairs<String, any PythonObjectConvertible> = [:],
                     timeout: Duration? = nil) async throws(JinnError) -> PythonObject
    {
        try await call(arguments.map(ObjectNode.init(converting:)),
                       keywords.map { ($0.key, ObjectNode(converting: $0.value)) }, timeout: timeout)
    }

    private func call(_ positional: [ObjectNode], _ keywords: [(String, ObjectNode)], timeout: Duration?)
        async throws(JinnError) -> PythonObject
    {
        let process = try owner(for: "calling \(node.description)")
        var arguments: [PythonValue] = []
        arguments.reserveCapacity(positional.count)
        for argument in positional { arguments.append(try argument.wire(for: process)) }
        var named: [PythonValue.Item] = []
        for (name, argument) in keywords { named.append(.init(.string(name), try argument.wire(for: process))) }
        let reply = try await process.performObjectOperation(
            .call, [try node.wire(for: process), .tuple(arguments), .dict(named)], timeout: timeout,
            operation: "the call of \(node.label)")
        // The handles stay alive until their call has been read: a release sent meanwhile could overtake it.
        withExtendedLifetime((self, positional, keywords)) {}
        return try ObjectReply.object(reply, process: process)
    }

    /// The object this one names, read now: an attribute or item path (`np.linalg`) becomes the handle or the
    /// value it names, so that later uses need not read the path again.
    ///
    /// ```swift
    /// let linalg = try await np.linalg.fetch()
    /// ```
    ///
    /// An object that is already a handle or a value is returned as it is, without crossing.
    public func fetch(timeout: Duration? = nil) async throws(JinnError) -> PythonObject {
        switch node {
        case .value, .handle: return self
        default: break
        }
        let process = try owner(for: "reading \(node.description)")
        let reply = try await process.performObjectOperation(
            .get, [try node.wire(for: process)], timeout: timeout, operation: "reading \(node.label)")
        withExtendedLifetime(self) {}
        return try ObjectReply.object(reply, process: process)
    }

    /// A handle to the object this one names, even when it is plain data: for Python code to change it in place.
    ///
    /// ```swift
    /// let cache = try await PythonObject(["hits": 0]).asHandle(in: python)   // a dict that lives in Python
    /// try await cache.setItem("hits", to: 1)
    /// let items = try await store.items.asHandle()    // the very list store.items names, not a copy
    /// ```
    ///
    /// Plain data that came back as a value is a copy of the Python object it was: the handle is to a new Python
    /// object made from the copy. A path (`store.items`) gives a handle to the object it names.
    ///
    /// - Parameter process: where to make the object; by default the object's own process.
    public func asHandle(in process: PythonProcess? = nil, timeout: Duration? = nil) async throws(JinnError)
        -> PythonObject
    {
        if case .handle(let handle) = node, process == nil || handle.process === process { return self }
        let target = if let process { process } else { try owner(for: "holding \(node.description) as a handle") }
        let reply = try await target.performObjectOperation(
            .hold, [try node.wire(for: target)], timeout: timeout, operation: "holding \(node.label)")
        withExtendedLifetime(self) {}
        return try ObjectReply.object(reply, process: target)
    }

    /// Decodes the object into a Swift value.
    ///
    /// ```swift
    /// let pi = try await np.pi.decode(Double.self)
    /// let values = try await samples.decode([Double].self)            // a float64 ndarray of rank 1
    /// let grid = try await np.eye(3).decode([[Double]].self)          // rank 2
    /// let shape = try await samples.shape.decode([Int].self)
    /// ```
    ///
    /// Plain data decodes as ``PythonValueDecoder`` decodes it; an object of a subclass of a plain type as its
    /// plain type (an `IntEnum` member as an `int`). A numpy array (or an `array.array`, or any C-contiguous buffer
    /// of numbers) decodes into `[Double]`, `[Float]`, `[Int]`, `[Int32]`, `[UInt8]`, `[Bool]`… nested to its rank:
    /// its bytes cross once, large ones in pieces through shared memory. The dtype must convert without loss
    /// (`float32` into `Double`, not `float64` into `Float`); any other array decodes as its `tolist()`.
    ///
    /// - Throws: ``JinnError/valueConversion(_:)`` naming what was expected and what was found: another type, an
    ///   array of another rank or dtype, an object that has no plain form.
    @_disfavoredOverload
    public func decode<Value: Decodable>(_ type: Value.Type = Value.self, timeout: Duration? = nil)
        async throws(JinnError) -> Value
    {
        if case .value(let value) = node {
            return try Self.decodeValue(Value.self, value, describing: "the value of \(node.description)")
        }
        let process = try owner(for: "decoding \(node.description)")
        let mode = NDArrays.arrayType(Value.self) == nil ? ObjectMode.plain : .array
        let reply = try await process.performObjectOperation(
            .get, [try node.wire(for: process), .int(mode.rawValue)], timeout: timeout,
            operation: "decoding \(node.label)")
        withExtendedLifetime(self) {}
        return try await ObjectReply.decode(Value.self, from: reply, process: process, timeout: timeout,
                                            describing: "the value of \(node.description)")
    }

    /// Decodes plain data; `root` names it in an error, and is only made then (it costs more than the decoding).
    static func decodeValue<Value: Decodable>(_ type: Value.Type, _ value: PythonValue,
                                              describing root: @autoclosure () -> String) throws(JinnError) -> Value
    {
        do throws(JinnError) {
            return try PythonValueDecoder().decode(Value.self, from: value, describing: "")
        } catch {
            return try PythonValueDecoder().decode(Value.self, from: value, describing: root())
        }
    }

    /// Decodes the object into a type of your own that reads Python objects (see ``PythonObjectDecodable``).
    ///
    /// ```swift
    /// let interval = try await stats.interval(samples).decode(Interval.self)
    /// ```
    public func decode<Value: PythonObjectDecodable>(_ type: Value.Type = Value.self) async throws(JinnError)
        -> Value
    {
        try await Value(pythonObject: self)
    }

    /// The process an operation runs in; throws for a value that belongs to none.
    func owner(for operation: @autoclosure () -> String) throws(JinnError) -> PythonProcess {
        if let pythonProcess { return pythonProcess }
        throw .valueConversion(
            "\(operation()) needs a Python process, and \(debugDescription) is a value made in Swift that belongs to"
                + " none: pass it as an argument to an object of a process, or make it there (python.evaluate)")
    }
}
