import JinnWire

extension PythonObject {
    /// Runs `body` inside the object as a context manager, as Python's `with object as value:` does.
    ///
    /// ```swift
    /// let text = try await builtins.open("notes.txt").withContext { file in
    ///     try await file.read().decode(String.self)
    /// }
    /// ```
    ///
    /// `body` receives what `__enter__` returned. `__exit__` runs when `body` returns or throws, even when the task
    /// was cancelled; after an error it receives a `jinn.SwiftError` carrying the error's description. Swift cannot
    /// ignore an error, so one that `__exit__` asks to suppress is thrown anyway. An error that `__exit__` raises
    /// takes the place of `body`'s, as in Python.
    public func withContext<Value>(timeout: Duration? = nil,
                                   _ body: (PythonObject) async throws(JinnError) -> Value)
        async throws(JinnError) -> Value
    {
        let outcome = try await entered(timeout: timeout) { (value) async -> Result<Value, any Error> in
            do throws(JinnError) {
                return .success(try await body(value))
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let value): return value
        case .failure(let error): throw error as! JinnError
        }
    }

    /// Runs `body`, whose errors are of any type, inside the object as a context manager; otherwise it is the
    /// form whose body throws ``JinnError`` only. A closure without a thrown type written out is this form.
    ///
    /// ```swift
    /// try await lock.withContext { _ in try await save(document) }
    /// ```
    @_disfavoredOverload
    public func withContext<Value>(timeout: Duration? = nil, _ body: (PythonObject) async throws -> Value)
        async throws -> Value
    {
        let outcome = try await entered(timeout: timeout) { (value) async -> Result<Value, any Error> in
            do {
                return .success(try await body(value))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Enters the context, runs `body`, and leaves: the outcome of `body`, or the error of entering or leaving.
    private func entered<Value>(timeout: Duration?, _ body: (PythonObject) async -> Result<Value, any Error>)
        async throws(JinnError) -> Result<Value, any Error>
    {
        let process = try owner(for: "entering \(node.description)")
        let reply = try await process.performObjectOperation(
            .enter, [try node.wire(for: process)], timeout: timeout, operation: "entering \(node.label)")
        withExtendedLifetime(self) {}
        let parts = try ObjectReply.objects(reply, process: process)
        guard parts.count == 2, case .handle(let manager) = parts[0].node else {
            throw .protocolViolation("the Python side entered a context with \(reply.found)")
        }
        let outcome = await body(parts[1])
        let failure: PythonValue = switch outcome {
        case .success: .none
        case .failure(let error as JinnError): .string(error.description)
        case .failure(let error): .string(String(describing: error))
        }
        // A task of its own: a cancelled task's calls are refused before they are sent, and __exit__ must run.
        let exit = await Task { () async -> Result<PythonValue, JinnError> in
            do throws(JinnError) {
                return .success(try await process.performObjectOperation(
                    .leave, [.int(manager.id), failure], timeout: timeout, operation: "leaving \(manager.typeName)"))
            } catch {
                return .failure(error)
            }
        }.value
        withExtendedLifetime(manager) {}
        if case .failure(let error) = exit { throw error }
        return outcome
    }
}
