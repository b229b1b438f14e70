import JinnWire

extension PythonObject {
    /// Sets an attribute, as `object.name = value` does in Python.
    ///
    /// ```swift
    /// try await options.setAttribute("precision", to: 3)
    /// ```
    public func setAttribute(_ name: String, to value: any PythonObjectConvertible, timeout: Duration? = nil)
        async throws(JinnError)
    {
        try await change(.setAttribute, [.init(converting: value)], name: name, timeout: timeout,
                         operation: "setting \(node.label).\(name)")
    }

    /// Deletes an attribute, as `del object.name` does.
    public func deleteAttribute(_ name: String, timeout: Duration? = nil) async throws(JinnError) {
        try await change(.deleteAttribute, [], name: name, timeout: timeout,
                         operation: "deleting \(node.label).\(name)")
    }

    /// Sets an item, as `object[key] = value` does: `a[0]`, `a[1, 2]`, `a[1..<3]`, `d["name"]`.
    ///
    /// ```swift
    /// try await matrix.setItem(0, 0, to: 1.5)         // matrix[0, 0] = 1.5
    /// try await row.setItem(..<2, to: [7, 8])         // row[:2] = [7, 8]
    /// ```
    public func setItem(_ keys: any PythonObjectConvertible..., to value: any PythonObjectConvertible,
                        timeout: Duration? = nil) async throws(JinnError)
    {
        try await change(.setItem, [ObjectNode(key: keys), .init(converting: value)], name: nil, timeout: timeout,
                         operation: "setting an item of \(node.label)")
    }

    /// Deletes an item, as `del object[key]` does.
    public func deleteItem(_ keys: any PythonObjectConvertible..., timeout: Duration? = nil) async throws(JinnError) {
        try await change(.deleteItem, [ObjectNode(key: keys)], name: nil, timeout: timeout,
                         operation: "deleting an item of \(node.label)")
    }

    private func change(_ function: ObjectOperation, _ operands: [ObjectNode], name: String?, timeout: Duration?,
                        operation: @autoclosure () -> String) async throws(JinnError)
    {
        if case .value(let value) = node {
            // A value is a copy of the Python object it came from: changing another copy would change nothing.
            throw .valueConversion("\(operation()) would change a copy: \(value.found) is plain data held in Swift;"
                                   + " hold it with asHandle() to change it in Python")
        }
        let process = try owner(for: operation())
        var arguments = [try node.wire(for: process)]
        if let name { arguments.append(.string(name)) }
        for operand in operands { arguments.append(try operand.wire(for: process)) }
        _ = try await process.performObjectOperation(function, arguments, timeout: timeout, operation: operation())
        withExtendedLifetime((self, operands)) {}
    }
}
