import JinnWire

/// What an operation of `jinn._objects` returns: a handle or plain data, plain data only, or an array's numbers.
enum ObjectMode: Int {
    case object = 0, plain = 1, array = 2
}

/// Reads the replies of `jinn._objects` (see its documentation for the format) into ``PythonObject``s and Swift
/// values.
enum ObjectReply {
    /// The object a reply names: plain data, or a handle.
    static func object(_ reply: PythonValue, process: PythonProcess) throws(JinnError) -> PythonObject {
        guard case .tuple(let fields) = reply else { return PythonObject(.value(reply), process: process) }
        switch fields.first {
        case .int(0)?:
            return PythonObject(.value(fields.count > 1 ? fields[1] : .none), process: process)
        case .int(1)?:
            return PythonObject(.handle(try handle(fields, process: process)), process: process)
        default:
            throw malformed(reply)
        }
    }

    /// The objects of a reply of several (`(5, [replies])`).
    static func objects(_ reply: PythonValue, process: PythonProcess) throws(JinnError) -> [PythonObject] {
        guard case .tuple(let fields) = reply, fields.first == .int(5), fields.count == 2,
              let replies = fields[1].elements
        else { throw malformed(reply) }
        var objects: [PythonObject] = []
        objects.reserveCapacity(replies.count)
        for reply in replies { objects.append(try object(reply, process: process)) }
        return objects
    }

    /// The items of an iteration's batch (`(4, [replies], finished)`).
    static func items(_ reply: PythonValue, process: PythonProcess) throws(JinnError)
        -> (items: [PythonObject], finished: Bool)
    {
        guard case .tuple(let fields) = reply, fields.first == .int(4), fields.count == 3,
              let replies = fields[1].elements, case .bool(let finished) = fields[2]
        else { throw malformed(reply) }
        var items: [PythonObject] = []
        items.reserveCapacity(replies.count)
        for reply in replies { items.append(try object(reply, process: process)) }
        return (items, finished)
    }

    /// Every handle a reply carries, once per count: what a reply that nobody reads must release.
    static func handles(in reply: PythonValue) -> [Int] {
        guard case .tuple(let fields) = reply, case .int(let kind)? = fields.first else { return [] }
        switch kind {
        case 1:
            if case .int(let id)? = fields.dropFirst().first { return [id] }
        case 3:
            if fields.count == 6 { return handles(in: fields[5]) }
        case 4, 5:
            if fields.count >= 2, let replies = fields[1].elements { return replies.flatMap(handles(in:)) }
        default:
            break
        }
        return []
    }

    /// Decodes a reply to an operation that asked for plain data, or for an array's contents.
    static func decode<Value: Decodable>(_ type: Value.Type, from reply: PythonValue, process: PythonProcess,
                                         timeout: Duration?, describing root: @autoclosure () -> String)
        async throws(JinnError) -> Value
    {
        guard case .tuple(let fields) = reply, case .int(let kind)? = fields.first, kind != 0 else {
            let value = if case .tuple(let fields) = reply, fields.count == 2 { fields[1] } else { reply }
            return try PythonObject.decodeValue(Value.self, value, describing: root())
        }
        switch kind {
        case 2 where fields.count == 4:
            guard let (dtype, shape) = arrayHeader(fields[1], fields[2]), case .bytes(let bytes) = fields[3] else {
                throw malformed(reply)
            }
            return try decodeArray(Value.self, dtype: dtype, shape: shape, pieces: [bytes], describing: root())
        case 3 where fields.count == 6:
            guard let (dtype, shape) = arrayHeader(fields[1], fields[2]), case .int(let size) = fields[3],
                  case .int(let piece) = fields[4], piece > 0
            else { throw malformed(reply) }
            let source = try handle(fields[5].elements ?? [], process: process)
            guard let array = NDArrays.arrayType(Value.self) else {
                throw .protocolViolation("the Python side sent an array for \(root()), which did not ask for one")
            }
            return try await readArray(array, dtype: dtype, shape: shape, size: size, piece: piece, from: source,
                                       timeout: timeout, describing: root()) as! Value
        case 6 where fields.count == 2:
            throw .valueConversion("\(root()): expected \(Value.self), found a \(fields[1].stringValue ?? "?")"
                                   + " object, which is not plain data (only a PythonObject can hold it)")
        default:
            throw malformed(reply)
        }
    }

    private static func decodeArray<Value>(_ type: Value.Type, dtype: String, shape: [Int], pieces: [[UInt8]],
                                           describing root: String) throws(JinnError) -> Value
    {
        guard let array = NDArrays.arrayType(Value.self) else {
            throw .protocolViolation("the Python side sent an array for \(root), which did not ask for one")
        }
        return try open(array, dtype: dtype, shape: shape, pieces: pieces, describing: root) as! Value
    }

    private static func open<Array: NDArrayNesting>(_ type: Array.Type, dtype: String, shape: [Int],
                                                    pieces: [[UInt8]], describing root: String)
        throws(JinnError) -> Array
    {
        try NDArrays.decode(type, dtype: dtype, shape: shape, pieces: pieces, describing: root)
    }

    /// Reads a large array in pieces and decodes it: straight into the Swift array when its dtype is the
    /// scalar's own, else once every piece is in.
    private static func readArray<Array: NDArrayNesting>(
        _ type: Array.Type, dtype: String, shape: [Int], size: Int, piece: Int, from source: ObjectHandle,
        timeout: Duration?, describing root: String
    ) async throws(JinnError) -> Array {
        try NDArrays.check(type, dtype: dtype, shape: shape, describing: root)
        if dtype == Array.Scalar.dtype {
            var assembly = NDArrays.Assembly<Array>(shape: shape)
            guard assembly.size == size else {
                throw .protocolViolation("the Python side announced \(size) bytes for an array of shape"
                                         + " \(NDArrays.shapeDescription(shape)) and dtype \(dtype)")
            }
            var failure: JinnError?
            try await read(source, size: size, piece: piece, timeout: timeout) { offset, bytes in
                do throws(JinnError) {
                    try assembly.copy(bytes, at: offset)
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
            return try assembly.value()
        }
        var pieces: [[UInt8]] = []
        try await read(source, size: size, piece: piece, timeout: timeout) { offset, bytes in
            pieces.append(bytes)
        }
        return try NDArrays.decode(type, dtype: dtype, shape: shape, pieces: pieces, describing: root)
    }

    /// Reads a large array's bytes in pieces, three requests in flight (a piece is a quarter of the shared-memory
    /// ring, so three fit), so that Python copies the next pieces into shared memory while Swift copies this one;
    /// `consume` receives each piece in order, with its offset.
    private static func read(_ source: ObjectHandle, size: Int, piece: Int, timeout: Duration?,
                             consume: (_ offset: Int, _ bytes: [UInt8]) -> Void) async throws(JinnError)
    {
        let process = source.process
        let count = (size + piece - 1) / piece
        var waiting: [Int: [UInt8]] = [:]  // pieces that came before the one due next
        var due = 0
        let failure: JinnError? = await withTaskGroup(of: (Int, Result<[UInt8], JinnError>).self) { group in
            func start(_ index: Int) {
                group.addTask {
                    let offset = index * piece
                    do throws(JinnError) {
                        let reply = try await process.performObjectOperation(
                            .read, [.int(source.id), .int(offset), .int(min(piece, size - offset))],
                            timeout: timeout, operation: "reading an ndarray of \(size) bytes")
                        guard case .bytes(let bytes) = reply else { throw malformed(reply) }
                        return (index, .success(bytes))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var next = 0
            while next < min(3, count) {
                start(next)
                next += 1
            }
            for await (index, result) in group {
                switch result {
                case .success(let bytes):
                    waiting[index] = bytes
                    while let bytes = waiting.removeValue(forKey: due) {
                        consume(due * piece, bytes)
                        due += 1
                    }
                case .failure(let error):
                    group.cancelAll()
                    return error
                }
                if next < count {
                    start(next)
                    next += 1
                }
            }
            return nil
        }
        withExtendedLifetime(source) {}  // the array stays in Python's table until every piece is read
        if let failure { throw failure }
    }

    private static func arrayHeader(_ dtype: PythonValue, _ shape: PythonValue) -> (String, [Int])? {
        guard case .string(let dtype) = dtype, let dimensions = shape.elements else { return nil }
        let lengths = dimensions.compactMap(\.intValue)
        guard lengths.count == dimensions.count else { return nil }
        return (dtype, lengths)
    }

    private static func handle(_ fields: [PythonValue], process: PythonProcess) throws(JinnError) -> ObjectHandle {
        guard fields.count == 3, fields[0] == .int(1), case .int(let id) = fields[1],
              case .string(let typeName) = fields[2]
        else { throw malformed(.tuple(fields)) }
        return ObjectHandle(process: process, id: id, typeName: typeName)
    }

    private static func malformed(_ reply: PythonValue) -> JinnError {
        .protocolViolation("the Python side sent an object reply that Jinn does not know: \(reply.found)")
    }
}
