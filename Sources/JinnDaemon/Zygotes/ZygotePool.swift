import Foundation
import Jinn
import JinnDaemonCore
import Logging
import Synchronization

/// The zygotes, one per ``ZygoteKey``, and those retired that still serve runs. The pool owns them: it makes,
/// launches, retires and stops them, and lets each go when it reports its end (see ``ZygoteDelegate``).
///
/// Each key starts on its own: the pool's lock is never held while a zygote launches or while a file is examined
/// for staleness, so a run whose zygote is warm never waits for another key's zygote to start, and runs of one
/// key wait only for their own zygote's launch.
package final class ZygotePool: ZygoteDelegate {
    /// Makes the process for a new zygote of a key (not started yet): the interpreter, the modules to preload and
    /// the seconds one learned preload may take.
    package typealias ProcessFactory = @Sendable (_ key: ZygoteKey, _ interpreter: PythonInterpreter,
                                                  _ preload: ZygotePreload, _ preloadTimeLimit: Double) -> any ZygoteProcess

    private let makeProcess: ProcessFactory
    private let logger: Logger
    private let statistics: RunStatistics
    private let state = Mutex(State())
    private let rotation = SeedRotation()

    private struct State {
        var current: [ZygoteKey: Zygote] = [:]
        var retired: [Zygote] = []
        /// Modules that hung or ended a zygote while it preloaded them, or that misbehaved as learned preloads, by
        /// interpreter: never preloaded again there.
        var skipped: [String: [PreloadFailure]] = [:]
        /// What each key's runs imported, and the preloads learned from it.
        var histories: [ZygoteKey: ImportHistory] = [:]
        /// What each key's last zygote was made from, for its successors.
        var contexts: [ZygoteKey: Context] = [:]
        /// The successors with learned preloads that are starting, by key (in no other list until they take over).
        var successors: [ZygoteKey: Zygote] = [:]
    }

    /// What a key's zygote is made from.
    private struct Context {
        var interpreter: PythonInterpreter
        var configuration: Configuration
        var scriptPreload: [String]
        var dependencyPreload: [String]
    }

    /// A module that is no longer preloaded for an interpreter, and why.
    package struct PreloadFailure: Sendable, Equatable {
        package var module: String
        package var reason: String
    }

    /// A pool without zygotes.
    package init(logger: Logger, statistics: RunStatistics, makeProcess: @escaping ProcessFactory) {
        self.logger = logger
        self.statistics = statistics
        self.makeProcess = makeProcess
    }

    /// Every zygote: the current ones, then the retired ones that still serve runs.
    package var zygotes: [Zygote] {
        state.withLock { Array($0.current.values) + $0.retired }
    }

    /// The zygotes that take new runs, one per key.
    package var current: [Zygote] {
        state.withLock { Array($0.current.values) }
    }

    /// Every running session, oldest first.
    package var sessions: [Session] {
        zygotes.flatMap(\.sessions).sorted { $0.received < $1.received }
    }

    /// The zygote for a key's runs: the current one unless it is stale (it is then retired), else a new one,
    /// launched by the caller's thread. A caller that finds a zygote another thread is launching gets it at once;
    /// its ``Zygote/submit(_:request:descriptors:)`` waits for the launch.
    ///
    /// - Throws: ``DaemonError/zygote(_:)`` when a new zygote's process cannot start.
    /// `scriptPreload` names those of `configuration.preload` that come from a script environment's `[tool.jinn]`;
    /// `dependencyPreload` are the modules of the distributions a script environment was made for, preloaded as
    /// learned ones are (refused for good when they misbehave).
    package func zygote(for key: ZygoteKey, interpreter: PythonInterpreter, configuration: Configuration,
                        scriptPreload: [String] = [], dependencyPreload: [String] = []) throws(DaemonError) -> Zygote
    {
        let settings = configuration.zygoteSettings
        while true {
            let (zygote, isNew) = state.withLock { state -> (Zygote, Bool) in
                state.contexts[key] = Context(interpreter: interpreter, configuration: configuration,
                                              scriptPreload: scriptPreload, dependencyPreload: dependencyPreload)
                if let existing = state.current[key] { return (existing, false) }
                let zygote = makeZygote(for: key, in: state)
                state.current[key] = zygote
                return (zygote, true)
            }
            if !isNew {
                guard let reason = zygote.staleness(settings: settings) else {
                    rotateSeedIfDue(zygote, configuration: configuration)
                    return zygote
                }
                retire(zygote, reason: reason)
                continue
            }
            do {
                try zygote.launch()
            } catch {
                logger.error("cannot start a zygote for \(key): \(error)")
                throw .zygote("cannot start the Python zygote: \(error)")
            }
            retireSuperseded(by: key, configuration: configuration)
            enforceLimits(configuration, keeping: zygote)
            return zygote
        }
    }

    /// Retires the zygotes made from an earlier version of the configuration file that a new zygote's settings
    /// come from: once one run of the edited file has its zygote, the old settings serve no new runs. Zygotes of
    /// other files, of no file, or of the same version (a client whose variables differ) stay.
    private func retireSuperseded(by key: ZygoteKey, configuration: Configuration) {
        guard let file = configuration.file else { return }
        let superseded = state.withLock { state in
            state.current.filter { other, _ in
                guard other != key, let context = state.contexts[other] else { return false }
                return context.configuration.file == file && context.configuration.fileVersion != configuration.fileVersion
            }.map(\.value)
        }
        for zygote in superseded { retire(zygote, reason: "its configuration file \(file) changed") }
    }

    /// A new zygote of a key (not launched): its configured preloads and those learned, minus those skipped.
    private func makeZygote(for key: ZygoteKey, in state: State) -> Zygote {
        let context = state.contexts[key]!
        let skipped = Set((state.skipped[key.executable] ?? []).map(\.module))
        var preload = ZygotePreload(configured: context.configuration.preload.filter { !skipped.contains($0) })
        var reasons: [String: String] = [:]
        for module in preload.configured {
            reasons[module] = context.scriptPreload.contains(module) ? "[tool.jinn]" : "configured"
        }
        for module in context.dependencyPreload where reasons[module] == nil && !skipped.contains(module) {
            preload.learned.append(module)
            reasons[module] = "learned: a dependency of its environment"
        }
        for learned in state.histories[key]?.learned ?? [] where reasons[learned.module] == nil {
            guard !skipped.contains(learned.module) else { continue }
            preload.learned.append(learned.module)
            reasons[learned.module] = learned.reason
        }
        return Zygote(key: key, settings: context.configuration.zygoteSettings, preload: preload.all,
                      process: makeProcess(key, context.interpreter, preload, context.configuration.preloadTimeLimit),
                      logger: logger,
                      statistics: statistics, delegate: self, preloadReasons: reasons)
    }

    /// Retires a zygote: it takes no new runs, its key gets a new one on its next run, and it ends once its runs
    /// have.
    package func retire(_ zygote: Zygote, reason: String) {
        state.withLock { state in
            if state.current[zygote.key] === zygote { state.current[zygote.key] = nil }
            // One that has ended already reported it and must not linger.
            if !zygote.hasEnded && !state.retired.contains(where: { $0 === zygote }) { state.retired.append(zygote) }
        }
        zygote.retire(reason: reason)
    }

    /// The modules no longer preloaded for an interpreter.
    package func skippedPreloads(for executable: String) -> [PreloadFailure] {
        state.withLock { $0.skipped[executable] ?? [] }
    }

    /// Every interpreter's modules no longer preloaded.
    package var skippedPreloads: [(executable: String, failure: PreloadFailure)] {
        state.withLock { state in
            state.skipped.sorted { $0.key < $1.key }.flatMap { entry in entry.value.map { (entry.key, $0) } }
        }
    }

    /// Gives up a zygote that is still preloading after its start's bound: the module it is importing is never
    /// preloaded again for its interpreter, and it is stopped, so that the next run gets a zygote without it.
    package func abandon(_ zygote: Zygote, after timeout: Double) {
        if let module = zygote.unfinishedPreload {
            skip(module, for: zygote.key.executable, reason: "its import took more than \(timeout) s")
        }
        retire(zygote, reason: "it did not finish preloading within \(timeout) s")
        zygote.stop()
    }

    private func skip(_ module: String, for executable: String, reason: String) {
        let added = state.withLock { state -> Bool in
            guard !(state.skipped[executable] ?? []).contains(where: { $0.module == module }) else { return false }
            state.skipped[executable, default: []].append(PreloadFailure(module: module, reason: reason))
            return true
        }
        if added { logger.error("\(module) is no longer preloaded for \(executable): \(reason)") }
    }

    /// Launches a successor for a zygote whose hash seed has served long enough (see ``SeedRotation``), on a
    /// thread of its own; once it is ready it takes the key's runs and the old zygote is retired.
    private func rotateSeedIfDue(_ zygote: Zygote, configuration: Configuration) {
        guard let reason = rotation.claim(zygote, configuration: configuration) else { return }
        // What a new zygote of the key would preload: the configured and learned modules, less those skipped. A
        // successor already starting (with learned preloads) brings a new seed as well.
        let successor = state.withLock { state -> Zygote? in
            guard state.successors[zygote.key] == nil else { return nil }
            let successor = makeZygote(for: zygote.key, in: state)
            state.successors[zygote.key] = successor
            return successor
        }
        guard let successor else { return }
        Thread.detachNewThread { [self] in
            bringUp(successor, replacing: zygote, timeout: configuration.zygoteStartTimeout, because: reason)
        }
    }

    /// Ends every zygote now (their runs die with them).
    package func stopAll() {
        for zygote in zygotes + state.withLock({ Array($0.successors.values) }) { zygote.stop() }
    }

    /// Lets an ended zygote go: its key gets a new one on its next run.
    package func zygoteDidEnd(_ zygote: Zygote) {
        if let module = zygote.unfinishedPreload {
            skip(module, for: zygote.key.executable,
                 reason: "the zygote ended while importing it (it \(zygote.termination.map { "\($0)" } ?? "did not start"))")
        }
        state.withLock { state in
            if state.current[zygote.key] === zygote { state.current[zygote.key] = nil }
            state.retired.removeAll { $0 === zygote }
        }
    }

    // MARK: - Adaptive preloading

    /// Learns from a run's imports; when a key's learned preloads are more than its current zygote preloads, a
    /// successor that preloads them starts on a thread of its own and takes over once it is ready (runs keep
    /// using the current zygote meanwhile, see ``ImportHistory``).
    package func zygote(_ zygote: Zygote, reportedImports modules: [String]) {
        let key = zygote.key
        let successor = state.withLock { state -> Zygote? in
            guard state.current[key] === zygote, state.contexts[key] != nil else { return nil }
            let skipped = (state.skipped[key.executable] ?? []).map(\.module)
            state.histories[key, default: ImportHistory()].record(modules)
            let learned = state.histories[key]!.learnFrequent(excluding: Set(zygote.preload).union(skipped))
            if !learned.isEmpty { logger.info("learned preloads for \(key): \(learned)") }
            guard state.successors[key] == nil else { return nil }
            let successor = makeZygote(for: key, in: state)
            guard !Set(successor.preload).isSubset(of: zygote.preload) else { return nil }
            state.successors[key] = successor
            return successor
        }
        guard let successor else { return }
        let timeout = state.withLock { $0.contexts[key]?.configuration.zygoteStartTimeout } ?? 10
        Thread.detachNewThread { [self] in
            bringUp(successor, replacing: zygote, timeout: timeout, because: "a zygote with learned preloads")
        }
    }

    /// Starts a successor (registered in `successors` by the caller) and lets it take over from `old` once it is
    /// ready, unless it misbehaved or `old` is no longer its key's current zygote; `reason` says why, for the log.
    private func bringUp(_ successor: Zygote, replacing old: Zygote, timeout: Double, because reason: String) {
        defer { state.withLock { $0.successors[successor.key] = nil } }
        do {
            try successor.launch()
        } catch {
            logger.error("cannot start a successor zygote for \(successor.key) (\(reason)): \(error)")
            return
        }
        guard successor.waitUntilReady(timeout: .milliseconds(Int(timeout * 1000))) else {
            if !successor.hasEnded { abandon(successor, after: timeout) }
            return
        }
        if refuseMisbehaving(successor) { return }
        let replaced = state.withLock { state -> Bool in
            guard state.current[successor.key] === old else { return false }
            state.current[successor.key] = successor
            return true
        }
        guard replaced else {
            successor.stop()
            return
        }
        logger.info("zygote \(successor.pid.map(String.init) ?? "-") preloads \(successor.preload) and takes over")
        retire(old, reason: reason + "; zygote \(successor.pid.map(String.init) ?? "?") takes over")
    }

    /// Checks a ready zygote's learned preloads: one that failed to import or misbehaved (wrote output, started a
    /// thread, took too long) is never preloaded again for the interpreter, and the zygote is stopped, so that the
    /// next one starts without it. Returns whether it was. Configured preloads stay as set: they are only reported.
    package func refuseMisbehaving(_ zygote: Zygote) -> Bool {
        let learned = { (module: String) in zygote.preloadReasons[module]?.hasPrefix("learned") == true }
        // Runs ask this of their zygote each time: one without learned preloads answers at once.
        guard zygote.preload.contains(where: learned), let facts = zygote.summary.facts else { return false }
        let refused = facts.failures.filter { learned($0.module) }.map { ($0.module, "its import failed: \($0.error)") }
            + facts.refusals.filter { learned($0.module) }.map { ($0.module, $0.error) }
        guard !refused.isEmpty else { return false }
        for (module, reason) in refused {
            skip(module, for: zygote.key.executable, reason: reason)
            state.withLock { _ = $0.histories[zygote.key]?.forget(module) }
        }
        retire(zygote, reason: "a learned preload misbehaved")
        zygote.stop()
        return true
    }
}
