import JinnWire
import Synchronization

/// A Python object whose public methods Swift calls by name: an instance of a class exposed with `@jinn.expose`
/// or derived from `jinn.Service`, or an object published with `jinn.expose(obj, name=...)`.
///
/// ```python
/// @jinn.expose
/// class Counter:
///     def __init__(self, start=0):
///         self.total = start
///     def add(self, n=1):
///         """Adds n and returns the total."""
///         self.total += n
///         return self.total
/// ```
///
/// ```swift
/// let counter = try await python.makeService("counters.Counter", 10)
/// let total: Int = try await counter.call("add", 5)          // 15
/// for method in try await counter.methods() { print(method) } // add(n=1): Adds n and returns the total.
/// await counter.close()
/// ```
///
/// Public methods are those whose names do not start with an underscore. An instance made with
/// ``PythonProcess/makeService(_:_:keywords:)`` lives until ``close()`` or until the last reference to its
/// `PythonService` goes away.
public final class PythonService: Sendable {
    /// One exposed method, as discovery describes it.
    public struct Method: Sendable, Hashable, CustomStringConvertible {
        /// The method's name.
        public var name: String
        /// The parameters as Python writes them, such as `(n=1)`.
        public var signature: String
        /// The docstring, cleaned of its indentation; empty when there is none.
        public var documentation: String
        /// Whether it is an `async def` method (it runs on the event loop).
        public var isAsync: Bool

        /// Creates a description of a method.
        public init(name: String, signature: String, documentation: String, isAsync: Bool) {
            self.name = name
            self.signature = signature
            self.documentation = documentation
            self.isAsync = isAsync
        }

        public var description: String {
            (isAsync ? "async " : "") + name + signature + (documentation.isEmpty ? "" : ": \(documentation)")
        }
    }

    /// The process the object lives in.
    public let process: PythonProcess
    /// The dotted name of the class, or the name the object was exposed under.
    public let name: String
    private let key: PythonValue
    private let owned: Bool
    private let closed = Atomic<Bool>(false)

    init(process: PythonProcess, name: String, key: PythonValue, owned: Bool) {
        self.process = process
        self.name = name
        self.key = key
        self.owned = owned
    }

    deinit {
        if owned && !closed.load(ordering: .relaxed) {
            process.callWithoutReply("jinn._rpc.release_service", arguments: [key])
        }
    }

    /// Calls a method and decodes its result; the rules are those of ``PythonProcess/call(_:_:keywords:timeout:as:)``.
    public func call<Result: Decodable>(
        _ method: String, _ arguments: any Encodable..., keywords: KeyValuePairs<String, any Encodable> = [:],
        timeout: Duration? = nil, as type: Result.Type = Result.self
    ) async throws(JinnError) -> Result {
        let value = try await process.invoke(.tuple([key, .string(method)]), arguments: arguments, keywords: keywords,
                                             timeout: timeout, operation: "the call of \(name).\(method)")
        return try PythonValueDecoder().decode(Result.self, from: value, describing: "the result of \(name).\(method)")
    }

    /// Calls a method and returns its result as a ``PythonValue``.
    @discardableResult
    public func call(
        _ method: String, _ arguments: any Encodable..., keywords: KeyValuePairs<String, any Encodable> = [:],
        timeout: Duration? = nil
    ) async throws(JinnError) -> PythonValue {
        try await process.invoke(.tuple([key, .string(method)]), arguments: arguments, keywords: keywords,
                                 timeout: timeout, operation: "the call of \(name).\(method)")
    }

    /// Calls a method with arguments written as ``PythonValue`` literals, which may mix types, and decodes its
    /// result.
    @_disfavoredOverload
    public func call<Result: Decodable>(
        _ method: String, _ arguments: PythonValue..., keywords: KeyValuePairs<String, PythonValue> = [:],
        timeout: Duration? = nil, as type: Result.Type = Result.self
    ) async throws(JinnError) -> Result {
        let value = try await process.invoke(.tuple([key, .string(method)]), arguments: arguments,
                                             keywords: keywords.map { .init(.string($0.key), $0.value) },
                                             timeout: timeout, operation: "the call of \(name).\(method)")
        return try PythonValueDecoder().decode(Result.self, from: value, describing: "the result of \(name).\(method)")
    }

    /// Calls a method with arguments written as ``PythonValue`` literals and returns its result as a
    /// ``PythonValue``.
    @_disfavoredOverload
    @discardableResult
    public func call(
        _ method: String, _ arguments: PythonValue..., keywords: KeyValuePairs<String, PythonValue> = [:],
        timeout: Duration? = nil
    ) async throws(JinnError) -> PythonValue {
        try await process.invoke(.tuple([key, .string(method)]), arguments: arguments,
                                 keywords: keywords.map { .init(.string($0.key), $0.value) },
                                 timeout: timeout, operation: "the call of \(name).\(method)")
    }

    /// The exposed methods, in alphabetical order, with their signatures and docstrings.
    public func methods() async throws(JinnError) -> [Method] {
        let value = try await process.invoke("jinn._rpc.describe_service", arguments: [key], keywords: [],
                                             timeout: nil, operation: "the discovery of \(name)")
        return (value.elements ?? []).map { entry in
            Method(name: entry[0]?.stringValue ?? "", signature: entry[1]?.stringValue ?? "",
                   documentation: entry[2]?.stringValue ?? "", isAsync: entry[3]?.boolValue ?? false)
        }
    }

    /// Lets go of an instance made with ``PythonProcess/makeService(_:_:keywords:)``; calls on it fail afterwards.
    /// An object exposed by name stays exposed.
    public func close() async {
        guard owned, !closed.exchange(true, ordering: .relaxed) else { return }
        _ = try? await process.invoke("jinn._rpc.release_service", arguments: [key], keywords: [], timeout: nil,
                                      operation: "closing \(name)")
    }
}

extension PythonProcess {
    /// Creates an instance of an exposed Python class (decorated with `@jinn.expose` or derived from
    /// `jinn.Service`), passing the arguments to its constructor.
    ///
    /// - Throws: ``JinnError/python(_:termination:)`` when the class does not exist, is not exposed, or its
    ///   constructor raised.
    public func makeService(
        _ className: String, _ arguments: any Encodable..., keywords: KeyValuePairs<String, any Encodable> = [:]
    ) async throws(JinnError) -> PythonService {
        let encoder = PythonValueEncoder()
        var positional: [PythonValue] = []
        for argument in arguments { positional.append(try encoder.encode(any: argument)) }
        var named: [PythonValue.Item] = []
        for (name, value) in keywords { named.append(.init(.string(name), try encoder.encode(any: value))) }
        let handle = try await invoke("jinn._rpc.create_service",
                                      arguments: [.string(className), .tuple(positional), .dict(named)], keywords: [],
                                      timeout: nil, operation: "the creation of \(className)")
        return PythonService(process: self, name: className, key: handle, owned: true)
    }

    /// Creates an instance of an exposed Python class with arguments written as ``PythonValue`` literals, which
    /// may mix types; otherwise it is ``makeService(_:_:keywords:)``.
    @_disfavoredOverload
    public func makeService(
        _ className: String, _ arguments: PythonValue..., keywords: KeyValuePairs<String, PythonValue> = [:]
    ) async throws(JinnError) -> PythonService {
        let named = keywords.map { PythonValue.Item(.string($0.key), $0.value) }
        let handle = try await invoke("jinn._rpc.create_service",
                                      arguments: [.string(className), .tuple(arguments), .dict(named)], keywords: [],
                                      timeout: nil, operation: "the creation of \(className)")
        return PythonService(process: self, name: className, key: handle, owned: true)
    }

    /// The object the program exposed with `jinn.expose(obj, name=name)`.
    ///
    /// - Throws: ``JinnError/python(_:termination:)`` naming the exposed objects when none has that name.
    public func service(named name: String) async throws(JinnError) -> PythonService {
        let service = PythonService(process: self, name: name, key: .string(name), owned: false)
        _ = try await service.methods()
        return service
    }
}
