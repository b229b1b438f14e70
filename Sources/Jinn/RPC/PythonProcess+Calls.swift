import JinnWire

extension PythonProcess {
    /// Calls a Python function by its dotted name and decodes its result.
    ///
    /// The name is a module followed by attributes: `"math.sqrt"`, `"mymodule.f"`,
    /// `"package.module.Class.method"`; a bare name is looked up in `__main__`, then in the builtins. The module is
    /// imported on first use. Arguments are `Encodable` values (see ``PythonValueEncoder``); `Data` and `[UInt8]`
    /// travel as raw bytes; a ``SharedArray`` (positional or keyword) arrives as an ndarray view of its pages, and
    /// `as: SharedArray<Float>.self` asks for the result in new shared memory, copied there once by Python.
    ///
    /// ```swift
    /// let root: Double = try await python.call("math.sqrt", 2.0)
    /// let text: String = try await python.call("json.dumps", ["b": 1], keywords: ["indent": 2])
    /// let stats = try await python.call("stats.summary", samples, as: Summary.self)
    /// ```
    ///
    /// Many calls may be in flight at once, from any number of tasks. A synchronous function runs on a thread of
    /// its own once it has run for a millisecond or so, so that a slow call does not hold up the others; an
    /// `async def` function runs on an event loop. A program keeps serving calls for as long as it runs; one that
    /// has nothing else to do ends with `jinn.serve()` (see ``PythonProgram/server(setup:)``).
    ///
    /// - Parameters:
    ///   - timeout: how long to wait for the result. At the deadline the call fails with
    ///     ``JinnError/timedOut(operation:seconds:)`` and the running Python code is interrupted with
    ///     `KeyboardInterrupt` (an `async def` function's task is cancelled); the interpreter carries on.
    ///     Cancelling the calling task does the same, with ``JinnError/cancelled(operation:)``. A call that runs
    ///     on the main thread (the program waits in `jinn.serve()` and its main thread is free, as with
    ///     ``PythonProgram/server(setup:)``) gets a real SIGINT, which also breaks blocking calls such as
    ///     `time.sleep`, lock waits and socket reads, unless the program replaced Python's SIGINT handler. A call
    ///     that runs on another thread (the main thread runs another call, or the program does not serve) sees
    ///     `KeyboardInterrupt` at its next Python instruction only: CPython cannot break a blocking C call on
    ///     any thread but the main one, so such a call finishes first.
    /// - Throws: ``JinnError/python(_:termination:)`` when the function raised (a missing module, function or
    ///   attribute included, named in the message); ``JinnError/valueConversion(_:)`` when the result does not
    ///   fit `Result`; ``JinnError/processNotRunning(_:)`` with the exit status or signal when the process ended.
    public func call<Result: Decodable>(
        _ function: String, _ arguments: any Encodable..., keywords: KeyValuePairs<String, any Encodable> = [:],
        timeout: Duration? = nil, as type: Result.Type = Result.self
    ) async throws(JinnError) -> Result {
        if let shared = Result.self as? any SharedResult.Type {
            return try await callForSharedResult(function, arguments: arguments, keywords: keywords,
                                                 timeout: timeout, as: shared) as! Result
        }
        let value = try await invoke(.string(function), arguments: arguments, keywords: keywords, timeout: timeout,
                                     operation: "the call of \(function)")
        return try PythonValueDecoder().decode(Result.self, from: value, describing: "the result of \(function)")
    }

    /// Calls a Python function by its dotted name and returns its result as a ``PythonValue``.
    ///
    /// See ``call(_:_:keywords:timeout:as:)`` for the rules.
    ///
    /// ```swift
    /// try await python.call("cache.clear")
    /// let anything = try await python.call("json.loads", "[1, {\"a\": null}]")
    /// ```
    @discardableResult
    public func call(
        _ function: String, _ arguments: any Encodable..., keywords: KeyValuePairs<String, any Encodable> = [:],
        timeout: Duration? = nil
    ) async throws(JinnError) -> PythonValue {
        try await invoke(.string(function), arguments: arguments, keywords: keywords, timeout: timeout,
                         operation: "the call of \(function)")
    }

    /// Calls a Python function with arguments written as ``PythonValue`` literals, and decodes its result.
    ///
    /// This form lets a literal mix types, which `Encodable` arguments cannot:
    ///
    /// ```swift
    /// let text: String = try await python.call("json.dumps", ["n": 1, "name": "x", "tags": [1, "a", nil]])
    /// ```
    ///
    /// Otherwise it is ``call(_:_:keywords:timeout:as:)``.
    @_disfavoredOverload
    public func call<Result: Decodable>(
        _ function: String, _ arguments: PythonValue..., keywords: KeyValuePairs<String, PythonValue> = [:],
        timeout: Duration? = nil, as type: Result.Type = Result.self
    ) async throws(JinnError) -> Result {
        let value = try await invoke(.string(function), arguments: arguments,
                                     keywords: keywords.map { .init(.string($0.key), $0.value) },
                                     timeout: timeout, operation: "the call of \(function)")
        return try PythonValueDecoder().decode(Result.self, from: value, describing: "the result of \(function)")
    }

    /// Calls a Python function with arguments written as ``PythonValue`` literals, and returns its result as a
    /// ``PythonValue``.
    @_disfavoredOverload
    @discardableResult
    public func call(
        _ function: String, _ arguments: PythonValue..., keywords: KeyValuePairs<String, PythonValue> = [:],
        timeout: Duration? = nil
    ) async throws(JinnError) -> PythonValue {
        try await invoke(.string(function), arguments: arguments,
                         keywords: keywords.map { .init(.string($0.key), $0.value) },
                         timeout: timeout, operation: "the call of \(function)")
    }

    /// An executor that runs a task's code on the thread that reads this process's replies, for the fastest round
    /// trips.
    ///
    /// A call's reply normally wakes a thread of the global pool to resume its caller. A task that prefers this
    /// executor resumes on the reading thread itself, right after the reply, and sends its next call from there:
    /// one thread switch fewer per call. Use it for many small calls in a row; keep long computations and blocking
    /// work out of such a task, since while its code runs no other reply of this process is read.
    ///
    /// ```swift
    /// let total = try await withTaskExecutorPreference(python.executor) {
    ///     var total = 0
    ///     for index in 0..<10_000 { total += try await python.call("math.isqrt", index, as: Int.self) }
    ///     return total
    /// }
    /// ```
    public var executor: any TaskExecutor { channel.executor }

    /// Registers a handler that Python calls with `jinn.call(name, …)`, replacing one of the same name.
    ///
    /// Handlers registered in ``LaunchOptions/handlers`` are there from the start; this adds one later.
    public func register<Request: Decodable & SwiftHandlerValue, Response: Encodable & SwiftHandlerValue>(
        _ name: String, _ handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        swiftHandlers.register(name, SwiftHandlers.body(name, handler))
    }

    /// Asks a program inside `jinn.serve()` to return from it, and waits until the process ends.
    ///
    /// The program runs what follows `jinn.serve()` and exits. A process that has not ended after `timeout` is
    /// terminated as ``terminate()`` does. Calls that wait for a reply fail with
    /// ``JinnError/processNotRunning(_:)``.
    @discardableResult
    public func shutdown(timeout: Duration = .seconds(5)) async -> Termination {
        do {
            try channel.send(.tuple([PythonValue(.stop)]))
        } catch {
            return await wait()
        }
        // A task group would wait for its child waiting on the process too, which no cancellation ends.
        let ended = await child.wait(timeout: timeout) != nil
        return ended ? await wait() : await terminate()
    }

    // MARK: - The machinery

    /// Sends a call and waits for its reply, its deadline or the caller's cancellation, whichever comes first.
    func invoke(_ target: PythonValue, arguments: [any Encodable], keywords: KeyValuePairs<String, any Encodable>,
                timeout: Duration?, operation: @autoclosure () -> String,
                observer: CallRegistry.Observer? = nil) async throws(JinnError) -> PythonValue
    {
        let (positional, named, shared) = try encodeArguments(arguments, keywords: keywords)
        if shared {
            // Shared arrays become ndarray views on the Python side, before the function is called.
            return try await invoke(.string("jinn._shared.invoke"),
                                    arguments: [target, .tuple(positional), .dict(named)], keywords: [],
                                    timeout: timeout, operation: operation(), observer: observer)
        }
        return try await invoke(target, arguments: positional, keywords: named, timeout: timeout,
                                operation: operation(), observer: observer)
    }

    func invoke(_ target: PythonValue, arguments: [PythonValue], keywords: [PythonValue.Item], timeout: Duration?,
                operation: @autoclosure () -> String, observer: CallRegistry.Observer? = nil,
                started: (@Sendable (Int) -> Void)? = nil,
                identified: (@Sendable (Int) -> Void)? = nil) async throws(JinnError) -> PythonValue
    {
        let calls = self.calls
        let id = calls.makeID()
        identified?(id)  // before the call can be sent, so before its reply can come
        let message: PythonValue = .tuple([PythonValue(.call), .int(id), target, .tuple(arguments), .dict(keywords)])
        let operation = operation()
        let reply = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<CallRegistry.Reply, Never>) in
                if let failure = calls.register(id, continuation, observer: observer) {
                    continuation.resume(returning: .failure(failure))
                    return
                }
                if Task.isCancelled {
                    calls.complete(id, with: .failure(.cancelled(operation: operation)))
                    return
                }
                do throws(JinnError) {
                    try channel.send(message)
                } catch .processNotRunning {
                    // The channel has ended: the registry fails the call as soon as it knows how the process
                    // ended.
                    return
                } catch {
                    calls.complete(id, with: .failure(error))
                    return
                }
                started?(id)
                if let timeout {
                    calls.setTimer(id, Task { [weak self] in
                        guard (try? await Task.sleep(for: timeout)) != nil else { return }
                        if calls.complete(id, with: .failure(.timedOut(operation: operation,
                                                                       seconds: timeout.seconds))) {
                            self?.cancelCall(id)
                        }
                    })
                }
            }
        } onCancel: {
            if calls.complete(id, with: .failure(.cancelled(operation: operation))) {
                cancelCall(id)
            }
        }
        return try reply.get()
    }

    /// Interrupts a call inside Python; its late reply is dropped.
    func cancelCall(_ id: Int) {
        try? channel.send(.tuple([PythonValue(.cancel), .int(id)]))
    }

    /// Sends a call whose reply nobody waits for.
    func callWithoutReply(_ target: PythonValue, arguments: [PythonValue]) {
        try? channel.send(.tuple([PythonValue(.call), .int(calls.makeID()), target, .tuple(arguments), .dict([])]))
    }

    /// Routes the channel's call messages; runs in ``start(_:interpreter:options:)`` before the channel starts.
    func installCallHandlers() {
        let calls = self.calls
        let handlers = self.swiftHandlers
        let channel = self.channel
        let objects = self.objects
        channel.on(.result) { message in
            guard case .int(let id)? = message[1] else { return }
            let tracked = objects.untrack(id)  // before the caller resumes and tracks its next call
            let delivered = calls.complete(id, with: .success(message[2] ?? .none))
            if tracked && !delivered { objects.releaseHandles(in: message[2]) }  // nobody will read this reply
        }
        channel.on(.error) { message in
            guard case .int(let id)? = message[1] else { return }
            objects.untrack(id)
            calls.complete(id, with: .failure(.python(PythonException(report: message[2] ?? .none),
                                                      termination: nil)))
        }
        for kind in [ChannelMessageKind.output, .input] {
            channel.on(kind) { message in
                guard case .int(let id)? = message[1] else { return }
                calls.observer(for: id)?(kind, message)
            }
        }
        // Weak: the channel keeps its handlers, and a handler that kept the channel would never let it go.
        channel.on(.swiftCall) { [weak channel] message in
            guard case .int(let id)? = message[1], case .string(let name)? = message[2] else { return }
            let replyChannel = channel
            handlers.start(id: id, name: name, request: message[3] ?? .none) { reply in
                try? replyChannel?.send(reply)
            }
        }
        channel.on(.swiftCancel) { message in
            guard case .int(let id)? = message[1] else { return }
            handlers.cancel(id: id)
        }
    }

    /// Fails every waiting call once the channel has ended, naming the exit status or signal, or the protocol
    /// error that broke the channel.
    func endCalls(channelError: JinnError?) {
        if let channelError, channelError.isProtocolViolation {
            calls.close(with: channelError)
            swiftHandlers.cancelAll()
            return
        }
        let child = self.child
        Task { [weak self] in
            // The channel ends as the process dies; its reaping follows within moments. A process that closed its
            // end of the channel and lives on is not waited for long.
            let termination = await withTaskGroup(of: Termination?.self) { group in
                group.addTask { await child.wait() }
                group.addTask { try? await Task.sleep(for: .seconds(2)); return nil }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard let self else { return }
            let failure: JinnError
            if let exception = uncaughtException {
                failure = .python(exception, termination: termination)
            } else if let channelError {
                failure = channelError
            } else {
                failure = .processNotRunning(termination)
            }
            calls.close(with: failure)
            swiftHandlers.cancelAll()
        }
    }
}

extension PythonProgram {
    /// A program that serves calls from Swift until ``PythonProcess/shutdown(timeout:)``: its main module runs
    /// `setup`, then `jinn.serve()`.
    ///
    /// ``PythonProcess/start(_:interpreter:options:)`` returns once `setup` has run (and throws its exception if
    /// it raised), so that every call runs on the main thread while it is free, where a timeout or a cancellation
    /// interrupts even a blocking system call.
    ///
    /// ```swift
    /// var program = PythonProgram.server(setup: "import numpy")
    /// try program.add(PythonModule(name: "geometry", source: geometrySource))
    /// let python = try await PythonProcess.start(program)
    /// let area: Double = try await python.call("geometry.area", 3.0)
    /// ```
    public static func server(setup: String = "") -> PythonProgram {
        var program = PythonProgram(main: setup + "\nimport jinn\njinn.serve()\n")
        program.waitsUntilServing = true
        return program
    }
}
