import Foundation
import Jinn
import JinnWire
import Logging
import Synchronization

/// A warm interpreter that forks one child per run (`jinn/_zygote.py`), and the runs it is serving.
///
/// A ``ZygotePool`` makes a zygote, owns it, launches it once and hands it runs; it exists before its process
/// does, so every message the process sends finds it. Its ``ZygoteProcess`` reports to it alone, on the thread that
/// reads the process's messages, and the zygote turns those reports into its sessions' progress and the run
/// statistics. It tells its owner through its ``ZygoteDelegate`` when it has ended, and nothing else.
///
/// A zygote is retired when it must serve no new runs (see ``staleness(settings:)``); it ends once the runs it
/// serves have ended.
package final class Zygote: Sendable {
    /// Which runs it serves.
    package let key: ZygoteKey
    /// The configuration settings it was made with (see `Configuration.zygoteSettings`).
    package let settings: [String]
    /// The modules it was asked to preload.
    package let preload: [String]
    /// Why it preloads each module: `configured`, `[tool.jinn]`, or `learned: imported by k of the last m runs`.
    package let preloadReasons: [String: String]

    private let process: any ZygoteProcess
    private let logger: Logger
    private let statistics: RunStatistics
    private weak let delegate: (any ZygoteDelegate)?
    private let launched = Latch()
    /// Opens once the zygote has preloaded (or has ended).
    private let readied = Latch()
    private let state = Mutex(State())

    private enum Phase {
        case made
        case launching
        case running
        case ended(Termination?)
    }

    private struct State {
        var phase = Phase.made
        var pid: Int32?
        var sessions: [String: Session] = [:]
        var facts: ZygoteFacts?
        var retired = false
        var stopRequested = false
        var runs = 0
        /// When the launch began.
        var launchedAt: ContinuousClock.Instant?
        /// The module being preloaded, until the zygote is ready.
        var importing: String?
        /// When a run was last handed to it or last ended.
        var lastUsed = ContinuousClock.now

        var hasEnded: Bool {
            if case .ended = phase { return true }
            return false
        }
    }

    /// A zygote whose process is not started yet: ``launch()`` starts it.
    package init(key: ZygoteKey, settings: [String], preload: [String], process: any ZygoteProcess, logger: Logger,
                 statistics: RunStatistics, delegate: (any ZygoteDelegate)?, preloadReasons: [String: String] = [:])
    {
        self.key = key
        self.settings = settings
        self.preload = preload
        self.preloadReasons = preloadReasons
        self.process = process
        self.logger = logger
        self.statistics = statistics
        self.delegate = delegate
    }

    /// The process's pid, once it has one.
    package var pid: Int32? { state.withLock { $0.pid } }

    /// How its process ended, once it has.
    package var termination: Termination? {
        state.withLock { state in
            if case .ended(let termination) = state.phase { return termination }
            return nil
        }
    }

    /// Whether it was retired.
    package var isRetired: Bool { state.withLock { $0.retired } }

    /// Whether its process has ended (or could not start).
    package var hasEnded: Bool { state.withLock { $0.hasEnded } }

    /// When a run was last handed to it or last ended, and whether it serves none now.
    package var use: (last: ContinuousClock.Instant, idle: Bool) {
        state.withLock { ($0.lastUsed, $0.sessions.isEmpty) }
    }

    /// The sessions it serves.
    package var sessions: [Session] { state.withLock { Array($0.sessions.values) } }

    /// What `jinn daemon status` shows of it.
    package var summary: ZygoteSummary {
        state.withLock { state in
            ZygoteSummary(pid: state.pid, key: key, facts: state.facts, retired: state.retired, runs: state.runs,
                          active: state.sessions.count, preloadReasons: preloadReasons)
        }
    }

    // MARK: - Life

    /// Starts the process; later calls do nothing. Runs submitted meanwhile wait for it (only this zygote's).
    ///
    /// - Throws: what kept the process from starting; the zygote has then ended and told its delegate.
    package func launch() throws(JinnError) {
        let first = state.withLock { state -> Bool in
            guard case .made = state.phase else { return false }
            state.phase = .launching
            state.launchedAt = .now
            return true
        }
        guard first else { return }
        defer { launched.open() }
        let pid: Int32
        do {
            pid = try process.start { [weak self] event in self?.handle(event) }
        } catch {
            state.withLock { $0.phase = .ended(nil) }
            readied.open()
            delegate?.zygoteDidEnd(self)
            throw error
        }
        let stopRequested = state.withLock { state -> Bool in
            state.pid = pid
            if case .launching = state.phase { state.phase = .running }
            return state.stopRequested
        }
        logger.info("zygote \(pid) started for \(key), preloading \(preload)")
        if stopRequested { process.terminate() }
    }

    /// Waits until the zygote has preloaded, for at most `timeout` from its launch; true when it is ready, false
    /// when it is still preloading or ended before it was ready.
    package func waitUntilReady(timeout: Duration) -> Bool {
        launched.wait()
        let launchedAt = state.withLock { $0.launchedAt } ?? .now
        let left = launchedAt + timeout - .now
        guard left > .zero ? readied.wait(timeout: left) : readied.isOpen else { return false }
        return state.withLock { $0.facts != nil }
    }

    /// The module the zygote was importing when it stopped preloading without becoming ready (it ended, or was
    /// stopped while it hung), or nil.
    package var unfinishedPreload: String? {
        state.withLock { $0.facts == nil ? $0.importing : nil }
    }

    /// Hands a run to the zygote, once it has launched. The caller keeps (and closes) its copies of the descriptors.
    ///
    /// - Parameter claim: takes the run's claim from its client (see `DaemonProtocol`), just before the process is
    ///   sent the run; false means the client gave the run up, which is then not sent.
    /// - Throws: ``ZygoteRefusal`` when the zygote was retired or has ended, the claim was not had, or its process
    ///   could not be sent the run; the session is then not the zygote's, and the run has not begun.
    package func submit(_ session: Session, request: RunRequest, descriptors: [Int32],
                        claim: () -> Bool = { true }) throws(ZygoteRefusal)
    {
        launched.wait()
        // Taken before the session is the zygote's, so that a zygote that ends meanwhile cannot report a run it
        // was never sent as lost; a run refused after this goes to a replacement (the claim is taken once).
        guard claim() else { throw ZygoteRefusal("the client gave the run up", clientGone: true) }
        let refusal = state.withLock { state -> String? in
            switch state.phase {
            case .ended(let termination): return "it ended" + (termination.map { " (it \($0))" } ?? "")
            case _ where state.retired: return "it was retired"
            default:
                state.sessions[session.id] = session
                state.lastUsed = .now
                return nil
            }
        }
        if let refusal { throw ZygoteRefusal(refusal) }
        do {
            try process.submit(runID: session.id, request: request, descriptors: descriptors)
        } catch {
            _ = state.withLock { $0.sessions.removeValue(forKey: session.id) }
            throw ZygoteRefusal("\(error)")
        }
    }

    /// Why this zygote must not serve new runs, or nil: retired, ended, other settings for its key (a script
    /// environment's preloads grew), or a changed file among the interpreter, the site-packages directories and
    /// the preloaded modules.
    package func staleness(settings current: [String]) -> String? {
        let (retired, ended, facts) = state.withLock { ($0.retired, $0.hasEnded, $0.facts) }
        if ended { return "it ended" }
        if retired { return "it was retired" }
        if current != settings { return "the configuration changed" }
        return facts?.staleFile()
    }

    /// Stops taking runs; the zygote ends once the runs it serves have ended.
    package func retire(reason: String) {
        let first = state.withLock { state -> (idle: Bool, pid: Int32?)? in
            guard !state.retired else { return nil }
            state.retired = true
            return (state.sessions.isEmpty, state.pid)
        }
        guard let first else { return }
        logger.info("zygote \(Self.name(first.pid)) retired: \(reason)")
        if first.idle { stop() }
    }

    /// Ends the zygote now (its runs die with it); one that is still launching ends as soon as it has started.
    package func stop() {
        let running = state.withLock { state -> Bool in
            state.stopRequested = true
            if case .running = state.phase { return true }
            return false
        }
        if running { process.terminate() }
    }

    // MARK: - What the process reports

    private func handle(_ event: ZygoteProcessEvent) {
        switch event {
        case .message(let value):
            do {
                handle(try ZygoteMessage(value))
            } catch {
                logger.warning("zygote \(Self.name(pid)) sent a message that cannot be read: \(error.message)")
            }
        case .ended(let termination):
            ended(termination)
        }
    }

    private func handle(_ message: ZygoteMessage) {
        switch message {
        case .preloading(let module):
            state.withLock { $0.importing = module }
        case .ready(let facts):
            let pid = state.withLock { state -> String in
                state.facts = facts
                // The ready message can come before the launch has recorded the pid; it names its own.
                if state.pid == nil { state.pid = facts.pid }
                return Self.name(state.pid)
            }
            readied.open()
            logger.info("zygote \(pid) ready: preloaded \(facts.preloaded)")
            if !facts.failures.isEmpty {
                let failures = facts.failures.map { "\($0.module) (\($0.error))" }.joined(separator: ", ")
                logger.warning("zygote \(pid) could not preload: \(failures)")
            }
        case .started(let id, let runPID, let delay):
            let (found, zygotePID) = state.withLock { ($0.sessions[id], $0.pid) }
            guard let session = found else { return }
            statistics.recordStart(latency: max(0, (ContinuousClock.now - session.received).seconds - delay))
            logger.info("run \(id) started: \(session.script) (pid \(runPID), zygote \(Self.name(zygotePID)))")
            if session.started(pid: runPID) {
                // The client left before the start was told (the connection had no pid to end then).
                logger.notice("run \(id): the client went away; terminating the run")
                session.terminate()
            }
        case .ended(let id, let termination):
            switch termination {
            case .exited(let status): finish(id, reply: .exited(Int(status)), status: "exited with status \(status)")
            case .signaled(let number): finish(id, reply: .signaled(Int(number)), status: "killed by signal \(number)")
            }
        case .imports(_, let modules):
            delegate?.zygote(self, reportedImports: modules)
        case .failed(let id, let reason):
            // The zygote says so before it hands the run to a child: the run never began.
            finish(id, reply: .error(code: "unstarted", message: reason), status: "failed: \(reason)")
        case .spare, .reclaim:
            break  // the business of the process, which holds the spares' sockets (``SpareSockets``)
        }
    }

    private func finish(_ id: String, reply: DaemonMessage, status: String) {
        let (session, idleRetired) = state.withLock { state -> (Session?, Bool) in
            let session = state.sessions.removeValue(forKey: id)
            if session != nil { state.runs += 1 }
            state.lastUsed = .now
            return (session, state.retired && state.sessions.isEmpty)
        }
        guard let session else { return }
        // Counted before the client hears of the end, so that a status it asks for next includes this run.
        statistics.recordEnd()
        session.ended(reply)
        let duration = (ContinuousClock.now - session.received).seconds
        logger.info("run \(id) ended: \(status) after \(String(format: "%.1f", duration * 1000)) ms")
        if idleRetired { stop() }
    }

    private func ended(_ termination: Termination) {
        let (orphans, expected, pid) = state.withLock { state -> ([Session], String?, Int32?) in
            state.phase = .ended(termination)
            defer { state.sessions.removeAll() }
            var expected: String?
            if state.sessions.isEmpty { expected = state.retired ? "retired" : state.stopRequested ? "stopped" : nil }
            return (Array(state.sessions.values), expected, state.pid)
        }
        if let expected {
            logger.info("zygote \(Self.name(pid)) ended (\(expected))")
        } else {
            logger.error("zygote \(Self.name(pid)) ended unexpectedly: it \(termination)")
        }
        for session in orphans {
            // A run whose start was not reported may have begun all the same: it is lost, never started again.
            let code = session.pid == nil ? "lost" : "zygote"
            session.ended(.error(code: code, message: "the Python zygote serving this run ended (it \(termination))"
                + (session.pid == nil ? " before it reported the run's start" : "")))
        }
        readied.open()
        delegate?.zygoteDidEnd(self)
    }

    /// A zygote's name in the log: its pid, once it has one.
    private static func name(_ pid: Int32?) -> String {
        pid.map(String.init) ?? "(starting)"
    }
}
