import Foundation
import Jinn
import JinnDaemonCore
import JinnWire
import Logging
import Synchronization

/// What makes two runs need different zygotes: the interpreter, and the environment variables that shape the
/// interpreter's start-up state (`PYTHON*`, `LC_*`, `LANG`, `LANGUAGE`).
package struct ZygoteKey: Hashable, Sendable, CustomStringConvertible {
    /// The interpreter's real executable.
    package var executable: String
    /// The start-up variables of the caller, as sorted `KEY=VALUE` items.
    package var startupVariables: [String]

    package init(executable: String, environment: [[UInt8]]) {
        self.executable = executable
        startupVariables = environment.compactMap { item -> String? in
            guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            let name = String(decoding: item[..<equals], as: UTF8.self)
            guard Self.isStartupVariable(name) else { return nil }
            return String(decoding: item, as: UTF8.self)
        }.sorted()
    }

    /// Whether a variable changes what the interpreter sets up at start-up (paths, encodings, buffering, hash seed).
    package static func isStartupVariable(_ name: String) -> Bool {
        name.hasPrefix("PYTHON") || name.hasPrefix("LC_") || name == "LANG" || name == "LANGUAGE"
    }

    package var description: String {
        startupVariables.isEmpty ? executable : executable + " [" + startupVariables.joined(separator: " ") + "]"
    }
}

/// A warm interpreter that forks one child per run (`jinn/_zygote.py`), and the runs it is serving.
package final class Zygote: Sendable {
    /// Which runs it serves.
    package let key: ZygoteKey
    /// The configuration settings it was started with (see ``Configuration/zygoteSettings``).
    package let settings: [String]
    /// The modules it was asked to preload.
    package let preload: [String]

    private let process: PythonProcess
    private let logger: Logger
    private let statistics: RunStatistics
    private let state = Mutex(State())
    private let onEnd: @Sendable (Zygote) -> Void

    private struct State {
        var sessions: [String: Session] = [:]
        var ready: PythonValue?
        var retired = false
        var ended = false
        var runs = 0
    }

    private init(key: ZygoteKey, settings: [String], preload: [String], process: PythonProcess, logger: Logger,
                 statistics: RunStatistics, onEnd: @escaping @Sendable (Zygote) -> Void)
    {
        self.statistics = statistics
        self.key = key
        self.settings = settings
        self.preload = preload
        self.process = process
        self.logger = logger
        self.onEnd = onEnd
    }

    /// The zygote's pid.
    package var pid: Int32 { process.processIdentifier }

    /// Starts a zygote through the Jinn bootstrap. It preloads while the first run request already waits on its
    /// channel.
    static func start(key: ZygoteKey, interpreter: PythonInterpreter, configuration: Configuration,
                      baseEnvironment: [String: String], logger: Logger, statistics: RunStatistics,
                      onEnd: @escaping @Sendable (Zygote) -> Void) async throws(JinnError) -> Zygote
    {
        var program = PythonProgram(entry: .module("jinn._zygote"))
        program.pythonListens = false
        program.values["preload"] = .list(configuration.preload.map(PythonValue.string))
        var environment = baseEnvironment.filter { !ZygoteKey.isStartupVariable($0.key) }
        for item in key.startupVariables {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            environment[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        program.environment = environment
        program.workingDirectory = "/"
        var options = LaunchOptions()
        options.standardInput = .null
        options.standardOutput = .inherit
        options.standardError = .inherit
        options.newProcessGroup = true
        // Messages are handled on the channel's thread as they arrive: a run's start and end reach its client
        // without waiting for a task to be scheduled.
        let inbox = ZygoteInbox()
        options.messageHandler = { message in inbox.deliver(message) }
        let process = try await PythonProcess.start(program, interpreter: interpreter, options: options)
        let zygote = Zygote(key: key, settings: configuration.zygoteSettings, preload: configuration.preload,
                            process: process, logger: logger, statistics: statistics, onEnd: onEnd)
        inbox.attach(zygote)
        logger.info("zygote \(process.processIdentifier) started for \(key), preloading \(configuration.preload)")
        Task.detached { await zygote.watch() }
        return zygote
    }

    /// Hands a run to the zygote. The caller keeps (and closes) its copies of the descriptors.
    func submit(_ session: Session, request: RunRequest, descriptors: [Int32]) throws(JinnError) {
        let accepted = state.withLock { state -> Bool in
            guard !state.ended else { return false }
            state.sessions[session.id] = session
            return true
        }
        guard accepted else { throw .processNotRunning(process.termination) }
        do {
            try process.send(raw: .tuple(["run", .string(session.id), request.value]), passing: descriptors)
        } catch {
            _ = state.withLock { $0.sessions.removeValue(forKey: session.id) }
            throw error
        }
    }

    /// Why this zygote must not serve new runs, or nil: retired, ended, a changed configuration, or a changed
    /// file among the interpreter, the site-packages directories and the preloaded modules.
    func staleness(settings current: [String]) -> String? {
        let (retired, ended, ready) = state.withLock { ($0.retired, $0.ended, $0.ready) }
        if ended { return "it ended" }
        if retired { return "it was retired" }
        if current != settings { return "the configuration changed" }
        guard case .list(let watched)? = ready?["watch"] else { return nil }
        for item in watched {
            guard let path = item[0]?.stringValue, let mtime = item[1]?.intValue, let size = item[2]?.intValue,
                let inode = item[3]?.intValue
            else { continue }
            var info = stat()
            if stat(path, &info) != 0 {
                if size >= 0 { return "\(path) disappeared" }
                continue
            }
            let nanoseconds = Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
            if nanoseconds != mtime || Int(info.st_size) != size || Int(info.st_ino) != inode {
                return "\(path) changed"
            }
        }
        return nil
    }

    /// Stops taking runs; the zygote ends once the runs it serves have ended.
    func retire(reason: String) {
        let idle = state.withLock { state -> Bool in
            guard !state.retired else { return false }
            state.retired = true
            return state.sessions.isEmpty
        }
        logger.info("zygote \(pid) retired: \(reason)")
        if idle { stop() }
    }

    /// Ends the zygote now (its runs die with it).
    func stop() {
        let process = self.process
        Task.detached { await process.terminate(gracePeriod: .seconds(1)) }
    }

    /// The sessions it serves.
    var sessions: [Session] { state.withLock { Array($0.sessions.values) } }

    /// The zygote as `jinn daemon status` shows it.
    var listing: PythonValue {
        let (ready, runs, retired, active) = state.withLock { ($0.ready, $0.runs, $0.retired, $0.sessions.count) }
        return .dict([
            .init("pid", .int(Int(pid))),
            .init("environment", .string(key.description)),
            .init("preloaded", ready?["preloaded"] ?? .list([])),
            .init("failed", ready?["failed"] ?? .list([])),
            .init("ready", .bool(ready != nil)),
            .init("retired", .bool(retired)),
            .init("runs", .int(runs)),
            .init("active", .int(active)),
            .init("memory", .int(Self.residentBytes(pid))),
        ])
    }

    fileprivate func handle(_ message: PythonValue) {
        guard case .tuple(let fields) = message, case .string(let kind)? = fields.first else { return }
        switch kind {
        case "ready":
            state.withLock { $0.ready = fields.count > 1 ? fields[1] : .none }
            let facts = fields.count > 1 ? fields[1] : .none
            logger.info("zygote \(pid) ready: preloaded \(facts["preloaded"] ?? .list([]))")
            if case .list(let failed)? = facts["failed"], !failed.isEmpty {
                logger.warning("zygote \(pid) could not preload: \(failed)")
            }
        case "started":
            guard fields.count == 3, let id = fields[1].stringValue, let pid = fields[2].intValue,
                let session = state.withLock({ $0.sessions[id] })
            else { return }
            statistics.recordStart(latency: (ContinuousClock.now - session.received).seconds)
            logger.info("run \(id) started: \(session.script) (pid \(pid), zygote \(self.pid))")
            if session.started(pid: Int32(pid)) {
                Daemon.terminate(session)
            }
        case "exit", "failed":
            guard fields.count >= 2, let id = fields[1].stringValue else { return }
            let (session, finishRetired) = state.withLock { state -> (Session?, Bool) in
                let session = state.sessions.removeValue(forKey: id)
                if session != nil { state.runs += 1 }
                return (session, state.retired && state.sessions.isEmpty)
            }
            guard let session else { return }
            let reply: DaemonMessage
            if kind == "exit", fields.count == 4, let how = fields[2].stringValue, let number = fields[3].intValue {
                reply = how == "signaled" ? .signaled(number) : .exited(number)
            } else {
                reply = .error(code: "run", message: fields.count > 2 ? fields[2].stringValue ?? "" : "")
            }
            session.ended(reply)
            statistics.recordEnd()
            let duration = (ContinuousClock.now - session.received).seconds
            let status: String
            switch reply {
            case .exited(let code): status = "exited with status \(code)"
            case .signaled(let number): status = "killed by signal \(number)"
            default: status = "failed: \(fields.count > 2 ? fields[2].stringValue ?? "" : "")"
            }
            logger.info("run \(id) ended: \(status) after \(String(format: "%.1f", duration * 1000)) ms")
            if finishRetired { stop() }
        default:
            logger.warning("zygote \(pid) sent an unknown message '\(kind)'")
        }
    }

    /// Waits for the zygote to end, then fails the runs it was serving.
    fileprivate func watch() async {
        let termination = await process.wait()
        let orphans = state.withLock { state -> [Session] in
            state.ended = true
            defer { state.sessions.removeAll() }
            return Array(state.sessions.values)
        }
        let retired = state.withLock { $0.retired }
        if retired && orphans.isEmpty {
            logger.info("zygote \(pid) ended (retired)")
        } else {
            logger.error("zygote \(pid) ended unexpectedly: it \(termination)")
        }
        for session in orphans {
            session.ended(.error(code: "zygote", message: "the Python zygote serving this run ended (it \(termination))"))
        }
        onEnd(self)
    }

    /// Resident memory of a process from `/proc/PID/status`, or 0.
    static func residentBytes(_ pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return digits * 1024
        }
        return 0
    }
}

/// Hands the zygote's messages to its `Zygote` from the channel's thread, holding any that arrive before the
/// `Zygote` exists (between the process start and the object's creation). It holds the `Zygote` weakly: the
/// process's channel holds the inbox, and the daemon decides how long a zygote lives.
private final class ZygoteInbox: Sendable {
    private struct State {
        weak var zygote: Zygote?
        var attached = false
        var early: [PythonValue] = []
    }

    private let state = Mutex(State())

    func deliver(_ message: PythonValue) {
        let zygote = state.withLock { state -> Zygote? in
            if !state.attached { state.early.append(message) }
            return state.zygote
        }
        zygote?.handle(message)
    }

    func attach(_ zygote: Zygote) {
        let early = state.withLock { state -> [PythonValue] in
            state.zygote = zygote
            state.attached = true
            defer { state.early.removeAll() }
            return state.early
        }
        for message in early { zygote.handle(message) }
    }
}
