import Foundation
import JinnSystem
import JinnWire

/// A value that crosses to Python as a view of shared memory rather than as its bytes.
protocol SharedArgument {
    /// What stands for the value in the call's arguments (see ``DescriptorExchange/argument(for:of:)``).
    func sharedArgument(for process: PythonProcess) throws(JinnError) -> PythonValue
}

/// A result that Python writes into new shared memory rather than sending.
protocol SharedResult {
    /// numpy's type string of the elements Python must write.
    static var resultTypeString: String { get }
    /// The result in the segment Python made.
    init(resultMemory: SharedMemory) throws(JinnError)
}

extension SharedArray: PythonObjectConvertible {
    /// The numpy array over the same pages, for operations on Python objects (`np.sum(array)`).
    public var pythonObject: PythonObject { PythonObject(.shared(memory), process: nil) }
}

extension SharedArray: SharedArgument, SharedResult, Codable {
    func sharedArgument(for process: PythonProcess) throws(JinnError) -> PythonValue {
        try process.sharedDescriptors.argument(for: memory, of: process)
    }

    static var resultTypeString: String { Element.typeString }

    init(resultMemory: SharedMemory) throws(JinnError) {
        try self.init(memory: resultMemory)
    }

    /// A shared array is an argument of a call as itself (an ndarray view in Python), never encoded.
    public func encode(to encoder: Encoder) throws {
        throw EncodingError.invalidValue(self, .init(codingPath: encoder.codingPath, debugDescription:
            "a SharedArray crosses to Python only as an argument of a call (positional or keyword), not inside another value"))
    }

    /// A shared array is a call's result only as itself (`as: SharedArray<Float>.self`), never decoded.
    public init(from decoder: Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
            "a SharedArray is a call's result only as itself (as: SharedArray<Float>.self), not inside another value"))
    }
}

extension PythonProcess {
    /// The call's arguments encoded, and whether one of them is shared (then the call goes through
    /// `jinn._shared.invoke`, which turns each such argument into an ndarray view).
    func encodeArguments(_ arguments: [any Encodable], keywords: KeyValuePairs<String, any Encodable>)
        throws(JinnError) -> (positional: [PythonValue], named: [PythonValue.Item], shared: Bool)
    {
        let encoder = PythonValueEncoder()
        var shared = false
        func encode(_ value: any Encodable) throws(JinnError) -> PythonValue {
            if let argument = value as? any SharedArgument {
                shared = true
                return try argument.sharedArgument(for: self)
            }
            return try encoder.encode(any: value)
        }
        var positional: [PythonValue] = []
        positional.reserveCapacity(arguments.count)
        for argument in arguments { positional.append(try encode(argument)) }
        var named: [PythonValue.Item] = []
        for (name, value) in keywords { named.append(.init(.string(name), try encode(value))) }
        return (positional, named, shared)
    }

    /// Calls `function` and receives its result as a shared array that Python wrote once, straight into new
    /// shared memory.
    func callForSharedResult<Result: SharedResult>(
        _ function: String, arguments: [any Encodable], keywords: KeyValuePairs<String, any Encodable>,
        timeout: Duration?, as type: Result.Type
    ) async throws(JinnError) -> Result {
        let (positional, named, _) = try encodeArguments(arguments, keywords: keywords)
        // The token is chosen here, so that a call that gives up can tell the exchange to close what comes with it.
        let token = SharedMemory.makeToken()
        let reply: PythonValue
        do {
            reply = try await invoke(
                .string("jinn._shared.invoke_into"),
                arguments: [.string(function), .string(Result.resultTypeString), .int(Int(token)),
                            .tuple(positional), .dict(named)],
                keywords: [], timeout: timeout, operation: "the call of \(function)")
        } catch {
            switch error {
            case .timedOut, .cancelled: sharedDescriptors.abandon(token)  // Python may still send it
            default: break
            }
            throw error
        }
        guard case .int(let echoed) = reply, echoed == Int(token) else {
            throw .protocolViolation("the shared result of \(function) came as \(reply)")
        }
        let descriptor = try sharedDescriptors.receive(token)
        var status = stat()
        guard fstat(descriptor.rawValue, &status) == 0 else {
            throw .sharedMemory(.system(operation: "reading the size of \(function)'s result", errno: errno))
        }
        let memory = try SharedMemory(descriptor: descriptor.release(), size: Int(status.st_size), name: nil,
                                      isOwner: true, keepDescriptor: true)
        return try Result(resultMemory: memory)
    }
}
