extension PythonProcess {
    /// Starts a program, hands its process to `body`, and guarantees the process is gone when this returns.
    ///
    /// The process belongs to the scope: when `body` returns or throws, or the surrounding task is cancelled, a
    /// process that is still running is terminated (SIGTERM, then SIGKILL after the grace period).
    ///
    /// ```swift
    /// let answer = try await PythonProcess.run(program) { process in
    ///     var replies = process.messages.makeAsyncIterator()
    ///     return await replies.next()
    /// }
    /// ```
    public static func run<Result>(
        _ program: PythonProgram, interpreter: PythonInterpreter? = nil, options: LaunchOptions = LaunchOptions(),
        isolation: isolated (any Actor)? = #isolation, body: (PythonProcess) async throws -> Result
    ) async throws -> Result {
        let process = try await start(program, interpreter: interpreter, options: options)
        let result: Swift.Result<Result, any Error>
        do {
            result = .success(try await withTaskCancellationHandler {
                try await body(process)
            } onCancel: {
                Task.detached { await process.terminate() }
            })
        } catch {
            result = .failure(error)
        }
        if process.termination == nil { await process.terminate() }
        return try result.get()
    }
}
