import Jinn
@testable import JinnDaemon
import JinnDaemonCore
import JinnWire
import Synchronization

/// Makes the scripted processes of a pool's zygotes, and remembers them by key in the order they were made.
final class ProcessMaker: Sendable {
    private let make: @Sendable (_ key: ZygoteKey, _ index: Int) -> ScriptedZygoteProcess
    private let made = Mutex<[(key: ZygoteKey, process: ScriptedZygoteProcess)]>([])

    /// - Parameter make: the process for the `index`th zygote (from 0) of a key.
    init(make: @escaping @Sendable (_ key: ZygoteKey, _ index: Int) -> ScriptedZygoteProcess = { _, _ in
        ScriptedZygoteProcess(readyWhileStarting: ZygoteFacts())
    }) {
        self.make = make
    }

    /// What a ``ZygotePool`` calls for each new zygote.
    var factory: ZygotePool.ProcessFactory {
        { [self] key, _, _, _ in
            made.withLock { made in
                let process = make(key, made.filter { $0.key == key }.count)
                made.append((key, process))
                return process
            }
        }
    }

    /// The processes made for a key, oldest first.
    func processes(for key: ZygoteKey) -> [ScriptedZygoteProcess] {
        made.withLock { $0.filter { $0.key == key }.map(\.process) }
    }

    /// Every process made, oldest first.
    var all: [ScriptedZygoteProcess] { made.withLock { $0.map(\.process) } }
}

/// The daemon's parts wired as `Daemon` wires them, on scripted zygote processes and without a listener.
struct DaemonParts {
    let log = LogRecord()
    let statistics = RunStatistics()
    let maker: ProcessMaker
    let pool: ZygotePool
    let settings: ConfigurationWatcher
    let runs: RunDispatcher
    let administration: Administration

    static let identity = "jinn test build"

    /// Parts whose settings never change (no configuration file) and whose interpreters are described, not run.
    init(configuration: Configuration = Fixtures.configuration(interpreter: Fixtures.key.executable),
         maker: ProcessMaker = ProcessMaker())
    {
        self.maker = maker
        pool = ZygotePool(logger: log.logger, statistics: statistics, makeProcess: maker.factory)
        settings = ConfigurationWatcher(configuration: configuration, flags: .init(), logger: log.logger,
                                        environment: { _ in nil })
        runs = RunDispatcher(settings: settings, interpreters: InterpreterResolver(inspect: { Fixtures.interpreter($0) }, check: { _ in nil }),
                             pool: pool)
        administration = Administration(directory: SocketDirectory(unchecked: Fixtures.socketDirectory),
                                        identity: Self.identity, startInstant: .now, settings: settings, pool: pool,
                                        statistics: statistics, stopRequest: StopRequest(), logger: log.logger)
    }

    /// A connection on `fd`, served by these parts.
    func connection(_ fd: Int32) -> Connection {
        Connection(fd: fd, identity: Self.identity, limits: settings.current, runs: runs,
                   administration: administration, logger: log.logger)
    }

    /// The key of runs with this environment (and the daemon's settings, which runs without their own get).
    func key(_ environment: [String] = Fixtures.request().environment.map { String(decoding: $0, as: UTF8.self) })
        -> ZygoteKey
    {
        ZygoteKey(executable: Fixtures.key.executable, environment: environment.map { Array($0.utf8) },
                  settings: settings.current.zygoteSettings)
    }
}

extension RunDispatcher {
    /// A run's whole start as a connection makes it, with a claim the client never takes back.
    func run(_ request: RunRequest, descriptors: [Int32], clientFD: Int32) throws(DaemonError) -> Session {
        let zygote = try zygote(for: request)
        let session = Session(id: Session.makeID(), request: request, clientFD: clientFD)
        try start(session, request: request, on: zygote, descriptors: descriptors, claim: { true })
        return session
    }
}
