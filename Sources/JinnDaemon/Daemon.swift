import Foundation
import Jinn
import JinnDaemonCore
import CJinn
import JinnWire
import Logging
import JinnSystem
import Synchronization

/// The script-runner daemon: a Unix socket server in a private directory that hands each run to a warm zygote.
///
/// One daemon serves a socket directory at a time: it holds an exclusive lock on `daemon.lock` for as long as it
/// serves (``DirectoryLock``), and binds its socket under a temporary name that it renames into place
/// (``Listener``), so a client never connects to a half-made socket and two racing starts end with one daemon.
/// Each connection is served on the thread that accepted it (``Acceptors``, ``Connection``); peers of another uid
/// are refused. A run goes through the
/// ``RunDispatcher`` to the ``ZygotePool``, which keeps one ``Zygote`` per ``ZygoteKey``; administrative requests
/// go to ``Administration``. The daemon exits after its idle timeout (``IdlePolicy``), on SIGTERM, SIGINT or
/// SIGHUP, or when asked to stop; it stops listening at once and lets the runs in flight finish (``Shutdown``).
///
/// ```swift
/// let daemon = try Daemon.start(configuration: try Configuration.resolve())
/// daemon.serve()   // returns when the daemon has stopped
/// ```
package final class Daemon: Sendable {
    /// The directory of the socket, lock and default log.
    package let directory: SocketDirectory
    /// This build's identity (see `BuildIdentity`).
    package let identity: String

    private let logger: Logger
    private let listener: Listener
    private let signals: StopSignals
    private let stopRequest: StopRequest
    private let activity = ConnectionActivity()
    private let settings: ConfigurationWatcher
    private let pool: ZygotePool
    private let runs: RunDispatcher
    private let administration: Administration
    private let shutdown: Shutdown
    private let expiry: EnvironmentExpiry
    /// A descriptor kept in reserve: at the descriptor limit it is closed to accept a client and tell it the
    /// daemon is busy (so that it runs directly instead of waiting), then opened again.
    private let reserve = Mutex<Int32>(open("/dev/null", O_RDONLY | O_CLOEXEC))

    private init(directory: SocketDirectory, configuration: Configuration, flags: Configuration.Flags,
                 logger: Logger, listener: Listener, lock: DirectoryLock, signals: StopSignals)
    {
        self.directory = directory
        self.identity = BuildIdentity.current()
        self.logger = logger
        self.listener = listener
        self.signals = signals
        let stopRequest = StopRequest()
        self.stopRequest = stopRequest
        let settings = ConfigurationWatcher(configuration: configuration, flags: flags, logger: logger)
        self.settings = settings
        let statistics = RunStatistics()
        let baseEnvironment = ProcessInfo.processInfo.environment
        let pool = ZygotePool(logger: logger, statistics: statistics) { key, interpreter, preload, preloadTimeLimit in
            PythonZygoteProcess(key: key, interpreter: interpreter, preload: preload,
                                preloadTimeLimit: preloadTimeLimit, baseEnvironment: baseEnvironment)
        }
        self.pool = pool
        runs = RunDispatcher(settings: settings, interpreters: InterpreterResolver(), pool: pool)
        administration = Administration(directory: directory, identity: identity, startInstant: .now,
                                        settings: settings, pool: pool, statistics: statistics,
                                        stopRequest: stopRequest, logger: logger)
        shutdown = Shutdown(listener: listener, lock: lock, pool: pool, logger: logger)
        expiry = EnvironmentExpiry(cache: ScriptEnvironmentCache(), pool: pool, logger: logger)
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
        let lock = try DirectoryLock.acquire(directory)
        let log: LogFile
        do {
            log = try LogFile(path: configuration.effectiveLogFile)
        } catch {
            lock.release()
            throw .unusable(error.description)
        }
        if redirectOutput {
            dup2(log.fd, 1)
            dup2(log.fd, 2)
        }
        let logger = log.logger(label: "jinn.daemon", level: Logger.Level(rawValue: configuration.logLevel) ?? .info)
        let listener: Listener
        do {
            listener = try Listener.open(in: directory)
        } catch {
            lock.release()
            throw error
        }
        // A client that goes away mid-reply must cost an EPIPE, not the daemon.
        signal(SIGPIPE, SIG_IGN)
        let daemon = Daemon(directory: directory, configuration: configuration, flags: flags, logger: logger,
                            listener: listener, lock: lock, signals: StopSignals.install())
        logger.notice("""
            daemon \(getpid()) serving \(directory.socketPath) (\(daemon.identity)); \
            configuration: \(configuration.file ?? "defaults"), idle timeout \(configuration.idleTimeout) s
            """)
        return daemon
    }

    /// Serves until the daemon stops; then lets the runs in flight finish and ends the zygotes.
    package func serve() {
        let acceptors = Acceptors(listener: listener, serve: { [self] fd in serve(fd) },
                                  failed: { [self] error in acceptFailed(error) })
        acceptors.start()
        var fds = [pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0)]
        var reason: String?
        while reason == nil {
            fds[0].revents = 0
            let count = poll(&fds, nfds_t(fds.count), 1000)
            if count < 0 && errno != EINTR {
                reason = "poll failed: \(Errno.current.description)"
            } else if fds[0].revents != 0 {
                let signal = signals.take()
                reason = stopRequest.isRequested ? "asked to stop" : signal
            } else {
                reason = stopRequest.isRequested ? "asked to stop" : idleReason()
                // About once a second, not after every connection: reading the zygotes' resident sizes would cost
                // each run, and a new zygote enforces the limits itself (`ZygotePool.zygote(for:)`).
                pool.enforceLimits(settings.current)
                expiry.passIfDue(settings.current)
            }
        }
        acceptors.stop()
        shutdown.perform(reason: reason ?? "")
    }

    /// Serves an accepted connection on the calling thread, counted while it lasts.
    private func serve(_ fd: Int32) {
        let limits = settings.current
        guard activity.open(below: limits.maximumConnections) else {
            refuse(fd, "the daemon serves \(limits.maximumConnections) connections already (max_connections)")
            return
        }
        Connection(fd: fd, identity: identity, limits: limits, runs: runs, administration: administration,
                   logger: logger)
            .serve()
        activity.closed()
    }

    private func acceptFailed(_ error: Errno) {
        if error.rawValue == EMFILE || error.rawValue == ENFILE {
            refuseAtDescriptorLimit(error)
        } else if error.rawValue != ECONNABORTED {
            logger.error("cannot accept: \(error.description)")
            usleep(10_000)
        }
    }

    /// Tells a client the daemon is busy, without waiting: one small frame fits in an empty socket's buffer.
    private func refuse(_ fd: Int32, _ reason: String) {
        var frame: [UInt8] = []
        Frame.append(payload: Marshal.encode(DaemonMessage.error(code: "busy", message: reason).value), to: &frame)
        _ = frame.withUnsafeBytes { jinn_send(fd, $0.baseAddress, $0.count) }
        _ = closeDescriptor(fd)
    }

    private func refuseAtDescriptorLimit(_ error: Errno) {
        let refused = reserve.withLock { reserve -> Bool in
            guard reserve >= 0 else { return false }
            _ = closeDescriptor(reserve)
            defer { reserve = open("/dev/null", O_RDONLY | O_CLOEXEC) }
            guard let fd = listener.accept() else { return false }
            refuse(fd, "the daemon is out of descriptors (\(error.description))")
            return true
        }
        logger.error("cannot accept: \(error.description); \(refused ? "told a client to run directly" : "pausing")")
        if !refused { usleep(50_000) }
    }

    private func idleReason() -> String? {
        let (connections, idle) = activity.snapshot
        let policy = IdlePolicy(idleTimeout: settings.current.idleTimeout)
        return policy.reason(connections: connections, runs: pool.sessions.count, idle: idle)
    }
}
