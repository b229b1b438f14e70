import Jinn
import JinnDaemonCore
import JinnSystem
import JinnWire
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A zygote's process: `jinn._zygote` started through the Jinn bootstrap, in its own process group, with the
/// channel left to the zygote's single thread (see `jinn/_zygote.py`).
///
/// The zygote preloads while the first run request already waits on its channel, so `start` returns as soon as
/// the process has its program, not once it is ready.
///
/// A run goes straight to a spare that waits on one of the daemon's sockets when one is ready (``SpareSockets``),
/// and through the zygote otherwise.
final class PythonZygoteProcess: ZygoteProcess {
    /// The sockets supplied to a zygote as it starts: one per spare it keeps, and one for the replacement it may
    /// fork before the daemon has sent another.
    static let initialSpareSockets = 4

    private let spares = SpareSockets()
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
        let (program, options, interpreter) = (makeProgram(), options(events: events), self.interpreter)
        let started = try runBlocking { () async throws(JinnError) -> PythonProcess in
            try await PythonProcess.start(program, interpreter: interpreter, options: options)
        }
        process.withLock { $0 = started }
        let spares = self.spares
        Task.detached {
            let termination = await started.wait()
            spares.closeAll()  // a zygote's spares outlive it: they end at the end of their sockets
            events(.ended(termination))
        }
        // Sent before the first run, so that the zygote's first spares wait on them.
        supplySpareSockets(Self.initialSpareSockets, to: started)
        return started.processIdentifier
    }

    func submit(runID: String, request: RunRequest, descriptors: [Int32]) throws(JinnError) {
        guard let process = process.withLock({ $0 }) else { throw .processNotRunning(nil) }
        while let spare = spares.take() {
            let socket = FrameSocket(fd: spare.descriptor)
            defer { socket.close() }
            // A spare killed from outside can still take a send while it dies; it answers one byte once it has read
            // the request, and its end of the socket without that byte sends the run to the next spare (the zygote
            // reclaims the socket).
            guard (try? socket.send(request.value, passing: descriptors)) != nil,
                  Self.acknowledges(socket, spare: spare.pid)
            else { continue }
            // The spare has the run from here on, whatever becomes of this word: a zygote that cannot be told ends,
            // and its end reports the run.
            try? process.send(raw: .tuple([PythonValue(.taken), .int(spare.token), .string(runID),
                                           .bool(request.terminal != nil)]), passing: [])
            return
        }
        try process.send(raw: .tuple([PythonValue(.run), .string(runID), request.value]), passing: descriptors)
    }

    func terminate() {
        spares.closeAll()
        guard let process = process.withLock({ $0 }) else { return }
        Task.detached { await process.terminate(gracePeriod: .seconds(1)) }
    }

    /// How long a spare may take to acknowledge its request before it is killed: one that is stopped, or starved,
    /// must not hold its run, and a spare killed before it acknowledged never began the run.
    static let acknowledgementTimeout: Duration = .seconds(2)

    /// Whether the spare `pid` on `socket` acknowledged its request (one byte, before it closes its end) within
    /// ``acknowledgementTimeout``; a spare that did not is killed with its run-to-be (its process group).
    private static func acknowledges(_ socket: FrameSocket, spare pid: Int32) -> Bool {
        do {
            return try socket.receiveByte(until: .now + acknowledgementTimeout) != nil
        } catch where error.isTimeout {
            // Killed before it acknowledged, it never began the run; the end of its socket follows its death.
            if kill(-pid, SIGKILL) != 0 { kill(pid, SIGKILL) }
            return (try? socket.receiveByte()).flatMap { $0 } != nil
        } catch {
            return false
        }
    }

    /// Sends the zygote `count` more sockets for its spares.
    private func supplySpareSockets(_ count: Int, to process: PythonProcess) {
        let supply = spares.supply(count)
        defer { for fd in supply.ends { _ = closeDescriptor(fd) } }
        guard !supply.tokens.isEmpty else { return }
        let message = PythonValue.tuple([PythonValue(.spareSockets), .list(supply.tokens.map { .int($0) })])
        if (try? process.send(raw: message, passing: supply.ends)) == nil {
            for token in supply.tokens { spares.reclaim(token) }
        }
    }

    /// Handles a zygote's word about its spares' sockets; false for any other message (and a malformed one, which
    /// the ``Zygote`` reports). Only those two kinds are read here: the others are read once, by the ``Zygote``.
    private func handleSpareWord(_ message: PythonValue) -> Bool {
        guard case .tuple(let fields) = message, let kind = fields.first?.stringValue,
              kind == ZygoteEventKind.spare.rawValue || kind == ZygoteEventKind.reclaim.rawValue
        else { return false }
        switch try? ZygoteMessage(message) {
        case .spare(let token, let pid):
            spares.spareWaits(token, pid: pid)
            if let process = process.withLock({ $0 }) { supplySpareSockets(1, to: process) }
        case .reclaim(let token):
            spares.reclaim(token)
        default:
            return false
        }
        return true
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

    private func options(events: @escaping @Sendable (ZygoteProcessEvent) -> Void) -> LaunchOptions {
        var options = LaunchOptions()
        // The runs' start-up options (`-O`, `-W`, `-X`, `-I`, …) shape the zygote's start-up, which every run of
        // its key inherits.
        options.interpreterArguments = key.options
        options.standardInput = .null
        options.standardOutput = .inherit
        options.standardError = .inherit
        options.newProcessGroup = true
        // Handled on the channel's thread as they arrive: a run's start and end reach its client without waiting
        // for a task to be scheduled. The words about spares stay here: they concern the sockets this process holds.
        options.messageHandler = { [weak self] message in
            if self?.handleSpareWord(message) != true { events(.message(message)) }
        }
        return options
    }
}
