import Jinn
import JinnWire
import Synchronization

/// A zygote's process: `jinn._zygote` started through the Jinn bootstrap, in its own process group, with the
/// channel left to the zygote's single thread (see `jinn/_zygote.py`).
///
/// The zygote preloads while the first run request already waits on its channel, so `start` returns as soon as
/// the process has its program, not once it is ready.
final class PythonZygoteProcess: ZygoteProcess {
    private let key: ZygoteKey
    private let interpreter: PythonInterpreter
    private let preload: ZygotePreload
    private let preloadTimeLimit: Double
    private let baseEnvironment: [String: String]
    private let process = Mutex<PythonProcess?>(nil)

    /// A process for `key`'s runs that preloads `preload`, with the daemon's environment minus its start-up variables
    /// plus the key's; nothing starts before ``start(events:)``.
    /// `preloadTimeLimit` is how long one preload's import may take before the zygote reports it refused.
    init(key: ZygoteKey, interpreter: PythonInterpreter, preload: ZygotePreload, preloadTimeLimit: Double = 5,
         baseEnvironment: [String: String])
    {
        self.key = key
        self.interpreter = interpreter
        self.preload = preload
        self.preloadTimeLimit = preloadTimeLimit
        self.baseEnvironment = baseEnvironment
    }

    func start(events: @escaping @Sendable (ZygoteProcessEvent) -> Void) throws(JinnError) -> Int32 {
        let (program, options, interpreter) = (makeProgram(), Self.options(events: events, key: key),
                                               self.interpreter)
        let started = try runBlocking { () async throws(JinnError) -> PythonProcess in
            try await PythonProcess.start(program, interpreter: interpreter, options: options)
        }
        process.withLock { $0 = started }
        Task.detached { events(.ended(await started.wait())) }
        return started.processIdentifier
    }

    func submit(runID: String, request: RunRequest, descriptors: [Int32]) throws(JinnError) {
        guard let process = process.withLock({ $0 }) else { throw .processNotRunning(nil) }
        try process.send(raw: .tuple([PythonValue(.run), .string(runID), request.value]), passing: descriptors)
    }

    func terminate() {
        guard let process = process.withLock({ $0 }) else { return }
        Task.detached { await process.terminate(gracePeriod: .seconds(1)) }
    }

    private func makeProgram() -> PythonProgram {
        var program = PythonProgram(entry: .module("jinn._zygote"))
        program.pythonListens = false
        program.values["preload"] = .list(preload.configured.map(PythonValue.string))
        program.values["learned_preload"] = .list(preload.learned.map(PythonValue.string))
        program.values["preload_time_limit"] = .float(preloadTimeLimit)
        program.environment = baseEnvironment.filter { !ZygoteKey.isStartupVariable($0.key) }
            .merging(key.startupEnvironment) { $1 }
        program.workingDirectory = "/"
        return program
    }

    private static func options(events: @escaping @Sendable (ZygoteProcessEvent) -> Void, key: ZygoteKey)
        -> LaunchOptions
    {
        var options = LaunchOptions()
        // The runs' start-up options (`-O`, `-W`, `-X`, `-I`, …) shape the zygote's start-up, which every run of
        // its key inherits.
        options.interpreterArguments = key.options
        options.standardInput = .null
        options.standardOutput = .inherit
        options.standardError = .inherit
        options.newProcessGroup = true
        // Handled on the channel's thread as they arrive: a run's start and end reach its client without waiting
        // for a task to be scheduled.
        options.messageHandler = { message in events(.message(message)) }
        return options
    }
}
