import CJinn
import Foundation
import Jinn
import JinnDaemonCore
import JinnWire
import Logging
import Synchronization

/// The script-runner daemon: a Unix socket server in a private directory that hands each run to a warm zygote.
///
/// One daemon serves a socket directory at a time: it holds an exclusive lock on `daemon.lock` for as long as it
/// serves, and binds its socket under a temporary name that it renames into place, so a client never connects to a
/// half-made socket and two racing starts end with one daemon. Every connection gets its own thread; peers of
/// another uid are refused. The daemon exits after its idle timeout, on SIGTERM, SIGINT or SIGHUP, or when asked
/// to stop; it stops listening at once and lets the runs in flight finish.
///
/// ```swift
/// let daemon = try Daemon.start(configuration: try Configuration.resolve())
/// daemon.serve()   // returns when the daemon has stopped
/// ```
package final class Daemon: Sendable {
    /// The directory of the socket, lock and default log.
    package let directory: SocketDirectory
    /// This build's identity (see ``BuildIdentity``).
    package let identity: String
    let logger: Logger
    let statistics = RunStatistics()
    private let startInstant = ContinuousClock.now
    private let flags: Configuration.Flags
    private let baseEnvironment: [String: String]
    private let listener: Int32
    private let lockFD: Int32
    private let signalFD: Int32
    private let socketInode: UInt64
    private let state: Mutex<State>
    private let creation = NSLock()
    private let interpreters = Mutex<[String: PythonInterpreter]>([:])

    private struct State {
        var configuration: Configuration
        var configurationStamp: String
        var zygotes: [ZygoteKey: Zygote] = [:]
        var retired: [Zygote] = []
        var connections = 0
        var lastActivity = ContinuousClock.now
        var stopping = false
    }

    private init(directory: SocketDirectory, configuration: Configuration, flags: Configuration.Flags,
                 logger: Logger, listener: Int32, lockFD: Int32, signalFD: Int32, socketInode: UInt64)
    {
        self.directory = directory
        self.identity = BuildIdentity.current()
        self.logger = logger
        self.flags = flags
        self.baseEnvironment = ProcessInfo.processInfo.environment
        self.listener = listener
        self.lockFD = lockFD
        self.signalFD = signalFD
        self.socketInode = socketInode
        self.state = Mutex(State(configuration: configuration,
                                 configurationStamp: Self.stamp(of: Configuration.filePath(flags: flags))))
    }

    /// Takes the socket directory, the lock and the socket.
    ///
    /// - Parameters:
    ///   - configuration: the settings in effect.
    ///   - flags: the command-line settings, applied again whenever the configuration file changes.
    ///   - redirectOutput: sends this process's standard output and error (and so the zygotes') to the log file.
    /// - Throws: ``DaemonError/alreadyRunning`` when another daemon holds the directory; other errors when the
    ///   directory, log or socket cannot be used.
    package static func start(configuration: Configuration, flags: Configuration.Flags = .init(),
                              redirectOutput: Bool = true) throws(DaemonError) -> Daemon
    {
        let directory: SocketDirectory
        do {
            directory = try SocketDirectory(path: configuration.socketDirectory)
        } catch {
            throw .unusable(error.description)
        }
        let lockFD = open(directory.lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else {
            throw .unusable("cannot open \(directory.lockPath): \(SystemCalls.describe(errno))")
        }
        let locked = jinn_try_lock(lockFD)
        guard locked == 0 else {
            _ = SystemCalls.close(lockFD)
            if locked == EWOULDBLOCK || locked == EAGAIN { throw .alreadyRunning }
            throw .unusable("cannot lock \(directory.lockPath): \(SystemCalls.describe(locked))")
        }
        let logPath = configuration.effectiveLogFile
        let log: LogFile
        do {
            log = try LogFile(path: logPath)
        } catch {
            _ = SystemCalls.close(lockFD)
            throw .unusable(error.description)
        }
        if redirectOutput {
            dup2(log.fd, 1)
            dup2(log.fd, 2)
        }
        let logger = log.logger(label: "jinn.daemon",
                                level: Logger.Level(rawValue: configuration.logLevel) ?? .info)

        // Bind under a name of our own and rename it into place: a client sees either the old socket or a
        // listening new one, never a socket that is not accepting yet.
        let temporary = directory.path + "/daemon.sock.\(getpid())"
        unlink(temporary)
        let listener = jinn_unix_listen(temporary, 128)
        guard listener >= 0 else {
            let error = errno
            _ = SystemCalls.close(lockFD)
            throw .unusable("cannot listen on \(temporary): \(SystemCalls.describe(error))")
        }
        chmod(temporary, 0o600)
        guard rename(temporary, directory.socketPath) == 0 else {
            let error = errno
            unlink(temporary)
            _ = SystemCalls.close(listener)
            _ = SystemCalls.close(lockFD)
            throw .unusable("cannot rename the socket to \(directory.socketPath): \(SystemCalls.describe(error))")
        }
        let inode = SystemCalls.linkStatus(directory.socketPath).map { UInt64($0.st_ino) } ?? 0

        signal(SIGPIPE, SIG_IGN)
        let signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]
        let signalFD = jinn_signal_pipe(signals, Int32(signals.count))

        let daemon = Daemon(directory: directory, configuration: configuration, flags: flags, logger: logger,
                            listener: listener, lockFD: lockFD, signalFD: signalFD, socketInode: inode)
        logger.notice("""
            daemon \(getpid()) serving \(directory.socketPath) (\(daemon.identity)); \
            configuration: \(configuration.file ?? "defaults"), idle timeout \(configuration.idleTimeout) s
            """)
        return daemon
    }

    /// Serves until the daemon stops; then lets the runs in flight finish and ends the zygotes.
    package func serve() {
        var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)]
        var reason = ""
        while reason.isEmpty {
            let count = poll(&fds, nfds_t(fds.count), 1000)
            if count < 0 && errno != EINTR {
                reason = "poll failed: \(SystemCalls.describe(errno))"
                break
            }
            if fds[1].revents != 0 {
                var number: UInt8 = 0
                _ = read(signalFD, &number, 1)
                reason = "signal \(number) (\(Termination.signalName(Int32(number))))"
                break
            }
            if fds[0].revents != 0 {
                let connection = jinn_accept(listener)
                if connection >= 0 {
                    startConnection(connection)
                } else if errno == EMFILE || errno == ENFILE {
                    logger.error("cannot accept: \(SystemCalls.describe(errno)); pausing")
                    usleep(50_000)
                }
            }
            if let idle = idleReason() { reason = idle }
            if state.withLock({ $0.stopping }) && reason.isEmpty { reason = "asked to stop" }
        }
        shutDown(reason: reason)
    }

    // MARK: - Connections

    private func startConnection(_ fd: Int32) {
        state.withLock { state in
            state.connections += 1
            state.lastActivity = .now
        }
        let connection = Connection(daemon: self, fd: fd)
        let thread = Thread {
            connection.serve()
            self.state.withLock { state in
                state.connections -= 1
                state.lastActivity = .now
            }
        }
        thread.name = "jinn-connection"
        thread.stackSize = 512 << 10
        thread.start()
    }

    /// Asks the serving loop to stop (from a connection's thread).
    func requestStop() {
        state.withLock { $0.stopping = true }
        Glibc.kill(getpid(), SIGTERM)
    }

    // MARK: - Runs

    /// Starts a run: finds (or starts) the zygote for it and hands it the request and descriptors.
    func run(_ request: RunRequest, descriptors: [Int32], clientFD: Int32) throws(DaemonError) -> Session {
        reloadConfigurationIfChanged()
        let interpreter = try interpreter(for: request)
        let key = ZygoteKey(executable: interpreter.executable, environment: request.environment)
        let session = Session(id: Self.newSessionID(), request: request, clientFD: clientFD)
        var lastError: JinnError?
        for _ in 0..<2 {  // a zygote that ended between lookup and send is replaced once
            let zygote = try zygote(for: key, interpreter: interpreter)
            do {
                try zygote.submit(session, request: request, descriptors: descriptors)
                return session
            } catch {
                lastError = error
                retire(zygote, reason: "it could not take a run: \(error)")
            }
        }
        throw .zygote("the Python zygote did not take the run: \(lastError.map { "\($0)" } ?? "")")
    }

    private func zygote(for key: ZygoteKey, interpreter: PythonInterpreter) throws(DaemonError) -> Zygote {
        creation.lock()
        defer { creation.unlock() }
        let (existing, configuration) = state.withLock { ($0.zygotes[key], $0.configuration) }
        if let existing {
            guard let reason = existing.staleness(settings: configuration.zygoteSettings) else { return existing }
            retire(existing, reason: reason)
        }
        let environment = baseEnvironment
        let logger = self.logger
        let statistics = self.statistics
        let zygote: Zygote
        do {
            zygote = try runBlocking { () async throws(JinnError) -> Zygote in
                try await Zygote.start(key: key, interpreter: interpreter, configuration: configuration,
                                       baseEnvironment: environment, logger: logger, statistics: statistics,
                                       onEnd: { [weak self] ended in self?.forget(ended) })
            }
        } catch {
            logger.error("cannot start a zygote for \(key): \(error)")
            throw .zygote("cannot start the Python zygote: \(error)")
        }
        state.withLock { $0.zygotes[key] = zygote }
        return zygote
    }

    private func retire(_ zygote: Zygote, reason: String) {
        state.withLock { state in
            if state.zygotes[zygote.key] === zygote { state.zygotes[zygote.key] = nil }
            state.retired.append(zygote)
        }
        zygote.retire(reason: reason)
    }

    private func forget(_ zygote: Zygote) {
        state.withLock { state in
            if state.zygotes[zygote.key] === zygote { state.zygotes[zygote.key] = nil }
            state.retired.removeAll { $0 === zygote }
        }
    }

    private func interpreter(for request: RunRequest) throws(DaemonError) -> PythonInterpreter {
        let configured = state.withLock { $0.configuration.interpreter }
        let path: String
        if let configured {
            path = configured
        } else {
            let searchPath = request.environment.lazy
                .first { $0.starts(with: Array("PATH=".utf8)) }
                .map { String(decoding: $0.dropFirst(5), as: UTF8.self) } ?? "/usr/local/bin:/usr/bin:/bin"
            guard let found = Self.find(["python3", "python"], in: searchPath) else {
                throw .interpreter("no python3 on the caller's PATH (\(searchPath))")
            }
            path = found
        }
        // Looked up here rather than through the async inspection's own cache, so a run never waits for a task.
        if let known = interpreters.withLock({ $0[path] }) { return known }
        do {
            let inspected = try runBlocking { () async throws(JinnError) -> PythonInterpreter in
                try await PythonInterpreter(path: path)
            }
            interpreters.withLock { $0[path] = inspected }
            return inspected
        } catch {
            throw .interpreter(error.description)
        }
    }

    private static func find(_ names: [String], in searchPath: String) -> String? {
        for name in names {
            for directory in searchPath.split(separator: ":") where directory.hasPrefix("/") {
                let candidate = directory + "/" + name
                if access(candidate, X_OK) == 0, let info = SystemCalls.status(candidate),
                    !SystemCalls.isDirectory(info.st_mode)
                {
                    return candidate
                }
            }
        }
        return nil
    }

    /// Terminates a run whose client is gone: SIGTERM to its process group, SIGKILL two seconds later if needed.
    static func terminate(_ session: Session) {
        guard session.signal(SIGTERM) else { return }
        Task.detached {
            try? await Task.sleep(for: .seconds(2))
            session.signal(SIGKILL)
        }
    }

    private static func newSessionID() -> String {
        let value = UInt64.random(in: 0...UInt64.max)
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    // MARK: - Configuration

    private static func stamp(of path: String?) -> String {
        guard let path, let info = SystemCalls.status(path) else { return "" }
        return "\(info.st_ino) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    /// Reads the configuration file again when it changed; a zygote whose settings changed is retired on its
    /// next use. An invalid file is logged and the settings in effect stay.
    private func reloadConfigurationIfChanged() {
        let (current, stamp) = state.withLock { ($0.configuration, $0.configurationStamp) }
        let path = Configuration.filePath(flags: flags)
        let newStamp = Self.stamp(of: path)
        guard newStamp != stamp else { return }
        state.withLock { $0.configurationStamp = newStamp }
        do {
            var reloaded = try Configuration.resolve(flags: flags)
            // Where the daemon listens and logs cannot change while it runs.
            reloaded.socketDirectory = current.socketDirectory
            reloaded.logFile = current.logFile
            state.withLock { $0.configuration = reloaded }
            logger.notice("configuration reloaded from \(path ?? "defaults")")
        } catch {
            logger.error("the configuration file changed but is invalid; keeping the settings in effect: \(error)")
        }
    }

    // MARK: - Administration

    /// All running sessions.
    var sessions: [Session] {
        let zygotes = state.withLock { Array($0.zygotes.values) + $0.retired }
        return zygotes.flatMap(\.sessions).sorted { $0.received < $1.received }
    }

    /// Sends a signal to the sessions a selector names: `all`, a session id, an id prefix or a script name.
    func kill(selector: String, signal number: Int32) -> [Session] {
        let matching = sessions.filter { session in
            selector == "all" || session.id.hasPrefix(selector) || session.scriptNames.contains(selector)
        }
        for session in matching {
            session.signal(number)
            logger.info("run \(session.id) sent signal \(number) by jinn kill")
        }
        return matching
    }

    /// The `jinn daemon status` reply.
    var status: PythonValue {
        let (configuration, zygotes) = state.withLock { ($0.configuration, Array($0.zygotes.values) + $0.retired) }
        func milliseconds(_ fraction: Double) -> PythonValue {
            statistics.latency(percentile: fraction).map { .float($0 * 1000) } ?? .none
        }
        return .dict([
            .init("pid", .int(Int(getpid()))),
            .init("identity", .string(identity)),
            .init("uptime", .float((ContinuousClock.now - startInstant).seconds)),
            .init("socket", .string(directory.socketPath)),
            .init("log", .string(configuration.effectiveLogFile)),
            .init("config", configuration.file.map(PythonValue.string) ?? .none),
            .init("idle_timeout", .int(configuration.idleTimeout)),
            .init("preload", .list(configuration.preload.map(PythonValue.string))),
            .init("runs", .int(statistics.served)),
            .init("active", .int(zygotes.reduce(0) { $0 + $1.sessions.count })),
            .init("latency_p50_ms", milliseconds(0.5)),
            .init("latency_p90_ms", milliseconds(0.9)),
            .init("latency_p99_ms", milliseconds(0.99)),
            .init("zygotes", .list(zygotes.map(\.listing))),
        ])
    }

    // MARK: - Stopping

    private func idleReason() -> String? {
        let (configuration, connections, last) = state.withLock { ($0.configuration, $0.connections, $0.lastActivity) }
        guard configuration.idleTimeout > 0, connections == 0, sessions.isEmpty else { return nil }
        let idle = ContinuousClock.now - last
        return idle >= .seconds(configuration.idleTimeout) ? "idle for \(configuration.idleTimeout) s" : nil
    }

    private func shutDown(reason: String) {
        logger.notice("daemon stopping: \(reason)")
        state.withLock { $0.stopping = true }
        // Give the name and the lock up first, so a new daemon can start while the runs in flight finish.
        if let info = SystemCalls.linkStatus(directory.socketPath), UInt64(info.st_ino) == socketInode {
            unlink(directory.socketPath)
        }
        _ = SystemCalls.close(listener)
        _ = SystemCalls.close(lockFD)
        var waited = 0
        while !sessions.isEmpty {
            if waited % 200 == 0 { logger.info("waiting for \(sessions.count) run(s) to finish") }
            usleep(10_000)
            waited += 1
        }
        let zygotes = state.withLock { Array($0.zygotes.values) + $0.retired }
        for zygote in zygotes { zygote.stop() }
        logger.notice("daemon stopped")
    }
}

/// Why the daemon could not start or serve a request.
package enum DaemonError: Error, CustomStringConvertible {
    /// Another daemon holds the socket directory.
    case alreadyRunning
    /// The socket directory, log or socket cannot be used.
    case unusable(String)
    /// No interpreter could be found or inspected.
    case interpreter(String)
    /// The zygote could not be started or did not take the run.
    case zygote(String)

    package var description: String {
        switch self {
        case .alreadyRunning: "another jinn daemon is already serving this socket directory"
        case .unusable(let message): message
        case .interpreter(let message): message
        case .zygote(let message): message
        }
    }

    /// The short word sent to clients.
    var code: String {
        switch self {
        case .alreadyRunning, .unusable: "unusable"
        case .interpreter: "interpreter"
        case .zygote: "zygote"
        }
    }
}
