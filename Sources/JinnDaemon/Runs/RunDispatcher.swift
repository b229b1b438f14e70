import Jinn
import JinnWire

/// Takes a run request to its zygote: the settings of the moment, the interpreter, the zygote of the run's key.
struct RunDispatcher: Sendable {
    let settings: ConfigurationWatcher
    let interpreters: InterpreterResolver
    let pool: ZygotePool

    /// Starts a run: hands the request and the caller's descriptors to the zygote of its key (the request's own
    /// interpreter, such as a script environment's, beats the configured one). The caller keeps (and
    /// closes) its copies of the descriptors, and keeps `clientFD` open until it has called
    /// ``Session/clientClosed()``.
    ///
    /// - Throws: ``DaemonError`` when there is no interpreter or no zygote would take the run.
    func run(_ request: RunRequest, descriptors: [Int32], clientFD: Int32) throws(DaemonError) -> Session {
        var configuration = settings.reloadIfChanged()
        // A script environment's own preloads (`[tool.jinn] preload` of the block it was made for) join the
        // configured ones in that environment's zygote.
        if let path = request.interpreter,
           let environment = ScriptEnvironment.owning(interpreter: String(decoding: path, as: UTF8.self))
        {
            configuration.preload += environment.preload.filter { !configuration.preload.contains($0) }
        }
        let interpreter = try interpreters.interpreter(
            for: request.environment, workingDirectory: String(decoding: request.workingDirectory, as: UTF8.self),
            configured: request.interpreter.map { String(decoding: $0, as: UTF8.self) } ?? configuration.interpreter)
        let key = ZygoteKey(executable: interpreter.executable, environment: request.environment)
        let session = Session(id: Session.makeID(), request: request, clientFD: clientFD)
        var refusal: ZygoteRefusal?
        // A zygote that ended or was retired between the lookup and the submission is replaced once.
        for _ in 0..<2 {
            let zygote = try pool.zygote(for: key, interpreter: interpreter, configuration: configuration)
            do {
                try zygote.submit(session, request: request, descriptors: descriptors)
                return session
            } catch {
                refusal = error
                pool.retire(zygote, reason: "it could not take a run: \(error)")
            }
        }
        throw .zygote("the Python zygote did not take the run: \(refusal.map(\.reason) ?? "")")
    }
}
