import JinnWire
import Synchronization

#if compiler(>=6.2)
/// What the request and response types of a Swift handler conform to besides `Codable`: that their type can be
/// used from any task, which every type not isolated to an actor satisfies.
public typealias SwiftHandlerValue = SendableMetatype
#else
/// What the request and response types of a Swift handler conform to besides `Codable` (nothing, before Swift 6.2).
public typealias SwiftHandlerValue = Any
#endif

/// Named Swift functions that Python code calls with `jinn.call(name, …)` or `await jinn.acall(name, …)`.
///
/// Each handler takes a typed request, decoded from what Python passed, and returns a typed response, encoded for
/// Python. Python passes its one positional argument as the request, several as a list, keyword arguments as a
/// dict, and no arguments as `None`. An error the handler throws reaches Python as a `jinn.SwiftError` whose
/// message is the error's description.
///
/// Register handlers before the process starts, so that they are there for its first call:
///
/// ```swift
/// struct Greeting: Codable { var name: String; var polite: Bool }
///
/// var options = LaunchOptions()
/// options.handlers.register("greet") { (request: Greeting) in
///     request.polite ? "Good day, \(request.name)" : "Hi \(request.name)"
/// }
/// let python = try await PythonProcess.start(program, options: options)
/// // Python: jinn.call("greet", name="Ada", polite=True) == "Good day, Ada"
/// ```
///
/// A handler may call back into Python (and that Python code into Swift again); each runs in a task of its own.
public struct SwiftHandlers: Sendable {
    typealias Body = @Sendable (PythonValue) async throws -> PythonValue

    var bodies: [String: Body] = [:]

    /// An empty set of handlers.
    public init() {}

    /// The names of the registered handlers.
    public var names: [String] { bodies.keys.sorted() }

    /// Registers `handler` under `name`, replacing a handler registered under that name before.
    public mutating func register<Request: Decodable & SwiftHandlerValue, Response: Encodable & SwiftHandlerValue>(
        _ name: String, _ handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        bodies[name] = Self.body(name, handler)
    }

    /// Registers a handler that takes no request under `name`.
    public mutating func register<Response: Encodable & SwiftHandlerValue>(
        _ name: String, _ handler: @escaping @Sendable () async throws -> Response
    ) {
        bodies[name] = Self.body(name) { (_: PythonValue) in try await handler() }
    }

    static func body<Request: Decodable & SwiftHandlerValue, Response: Encodable & SwiftHandlerValue>(
        _ name: String, _ handler: @escaping @Sendable (Request) async throws -> Response
    ) -> Body {
        { value in
            let request = try PythonValueDecoder().decode(Request.self, from: value,
                                                          describing: "the request of Swift handler '\(name)'")
            return try PythonValueEncoder().encode(try await handler(request))
        }
    }
}

/// The handlers of one process and the tasks that run them.
final class SwiftHandlerTable: Sendable {
    private let bodies: Mutex<[String: SwiftHandlers.Body]>
    private let running = Mutex<[Int: Task<Void, Never>]>([:])

    init(_ handlers: SwiftHandlers) {
        bodies = Mutex(handlers.bodies)
    }

    func register(_ name: String, _ body: @escaping SwiftHandlers.Body) {
        bodies.withLock { $0[name] = body }
    }

    /// Runs the handler for a call from Python in a task of its own, and sends the reply with `reply`.
    func start(id: Int, name: String, request: PythonValue, reply: @escaping @Sendable (PythonValue) -> Void) {
        let body = bodies.withLock { $0[name] }
        // The task is stored under the lock it removes itself under, so that it cannot finish before it is stored.
        running.withLock { running in
            running[id] = Task {
                let message: PythonValue
                if let body {
                    do {
                        message = .tuple([PythonValue(.swiftResult), .int(id), try await body(request)])
                    } catch {
                        message = .tuple([PythonValue(.swiftError), .int(id), .string(String(describing: error)),
                                          .string(String(describing: type(of: error)))])
                    }
                } else {
                    let known = self.bodies.withLock { $0.keys.sorted() }
                    message = .tuple([
                        PythonValue(.swiftError), .int(id),
                        .string("no Swift handler is registered under the name '\(name)' (registered: "
                            + (known.isEmpty ? "none" : known.joined(separator: ", ")) + ")"),
                        "LookupError",
                    ])
                }
                self.running.withLock { _ = $0.removeValue(forKey: id) }
                reply(message)
            }
        }
    }

    /// Cancels the handler running for a call that Python gave up.
    func cancel(id: Int) {
        running.withLock { $0[id] }?.cancel()
    }

    /// Cancels every running handler (the process has ended).
    func cancelAll() {
        for task in running.withLock({ Array($0.values) }) { task.cancel() }
    }
}
