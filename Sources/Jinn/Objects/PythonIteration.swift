import JinnWire

/// The items of a Python iterable, as an `AsyncSequence` of ``PythonObject``s: `for item in object` in Python.
///
/// ```swift
/// for try await row in matrix.iterate() {
///     print(try await row.decode([Double].self))
/// }
/// ```
///
/// Items come in batches, so that iterating over many does not cross the process boundary for each one: the first
/// exchange brings one item, and each next brings four times as many, up to 256. A loop that stops early may leave
/// the Python iterator that many items further on; an iterator whose items must not be read ahead (a generator
/// with side effects, a queue that blocks) takes `batchSize: 1`. An exception that the iterator raises comes
/// after the items before it.
public struct PythonIteration: AsyncSequence, Sendable {
    /// Each item is an object: plain data or a handle.
    public typealias Element = PythonObject
    /// What the iterator raised, or why the exchange failed.
    public typealias Failure = JinnError

    let object: PythonObject
    let batchSize: Int?

    /// Starts the iteration: the first batch crosses when the first item is asked for.
    public func makeAsyncIterator() -> Iterator {
        Iterator(object: object, batchSize: batchSize)
    }

    /// Reads the items of one iteration, a batch at a time.
    public struct Iterator: AsyncIteratorProtocol {
        /// Each item is an object: plain data or a handle.
        public typealias Element = PythonObject
        /// What the iterator raised, or why the exchange failed.
        public typealias Failure = JinnError

        private let object: PythonObject
        private let fixedSize: Int?
        private var iterator: PythonObject?
        private var buffer: [PythonObject] = []
        private var position = 0
        private var finished = false
        private var size: Int

        init(object: PythonObject, batchSize: Int?) {
            self.object = object
            self.fixedSize = batchSize.map { Swift.max(1, $0) }
            self.size = fixedSize ?? 1
        }

        /// The next item, or nil after the last.
        public mutating func next() async throws(JinnError) -> PythonObject? {
            if position < buffer.count {
                defer { position += 1 }
                return buffer[position]
            }
            if finished { return nil }
            let process = try object.owner(for: "iterating over \(object.node.description)")
            let reply: PythonValue
            if let iterator, case .handle(let handle) = iterator.node {
                reply = try await process.performObjectOperation(
                    .nextItems, [.int(handle.id), .int(size)], timeout: nil,
                    operation: "iterating over \(object.node.label)")
            } else {
                let started = try await process.performObjectOperation(
                    .iterate, [try object.node.wire(for: process), .int(size)], timeout: nil,
                    operation: "iterating over \(object.node.label)")
                withExtendedLifetime(object) {}
                guard case .tuple(let fields) = started, fields.count == 2, fields[0] == .int(5),
                      let replies = fields[1].elements, replies.count == 2
                else { throw .protocolViolation("the Python side started an iteration with \(started.found)") }
                iterator = try ObjectReply.object(replies[0], process: process)
                reply = replies[1]
            }
            let batch = try ObjectReply.items(reply, process: process)
            buffer = batch.items
            position = 0
            finished = batch.finished
            if fixedSize == nil { size = Swift.min(size * 4, 256) }
            if buffer.isEmpty { return finished ? nil : try await next() }
            position = 1
            return buffer[0]
        }
    }
}

extension PythonObject {
    /// The items of the object, as Python's `for item in object` reads them.
    ///
    /// ```swift
    /// for try await name in names.iterate() { print(try await name.decode(String.self)) }
    /// ```
    ///
    /// - Parameter batchSize: how many items each exchange brings; by default one at first, then more and more
    ///   (see ``PythonIteration``).
    public func iterate(batchSize: Int? = nil) -> PythonIteration {
        PythonIteration(object: self, batchSize: batchSize)
    }
}
