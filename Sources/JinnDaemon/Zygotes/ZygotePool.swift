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
    /// Makes the process for a new zygote of a key (not started yet): the interpreter and the modules to preload.
    package typealias ProcessFactory =
        @Sendable (_ key: ZygoteKey, _ interpreter: PythonInterpreter, _ preload: [String]) -> any ZygoteProcess

    private let makeProcess: ProcessFactory
    private let logger: Logger
    private let statistics: RunStatistics
    private let state = Mutex(State())
    private let rotation = SeedRotation()

    private struct State {
        var current: [ZygoteKey: Zygote] = [:]
        var retired: [Zygote] = []
        /// Modules that hung or ended a zygote while it preloaded them, by interpreter: never preloaded again there.
        var skipped: [String: [PreloadFailure]] = [:]
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
    package func zygote(for key: ZygoteKey, interpreter: PythonInterpreter, configuration: Configuration)
        throws(DaemonError) -> Zygote
    {
        let settings = configuration.zygoteSettings
        while true {
            let (zygote, isNew) = state.withLock { state -> (Zygote, Bool) in
                if let existing = state.current[key] { return (existing, false) }
                let skipped = Set((state.skipped[key.executable] ?? []).map(\.module))
                let preload = configuration.preload.filter { !skipped.contains($0) }
                let zygote = Zygote(key: key, settings: settings, preload: preload,
                                    process: makeProcess(key, interpreter, preload), logger: logger,
                                    statistics: statistics, delegate: self)
                state.current[key] = zygote
                return (zygote, true)
            }
            if !isNew {
                guard let reason = zygote.staleness(settings: settings) else {
                    rotateSeedIfDue(zygote, interpreter: interpreter, configuration: configuration)
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
            enforceLimits(configuration, keeping: zygote)
            return zygote
        }
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
    private func rotateSeedIfDue(_ zygote: Zygote, interpreter: PythonInterpreter, configuration: Configuration) {
        guard let reason = rotation.claim(zygote, configuration: configuration) else { return }
        // The same modules as the zygote it replaces (the configured ones less those skipped for the interpreter).
        let successor = Zygote(key: zygote.key, settings: configuration.zygoteSettings, preload: zygote.preload,
                               process: makeProcess(zygote.key, interpreter, zygote.preload), logger: logger,
                               statistics: statistics, delegate: self)
        Thread.detachNewThread { [self] in
            do { try successor.launch() } catch {
                logger.error("cannot start a successor zygote for \(zygote.key): \(error)")
                return
            }
            guard SeedRotation.waitUntilReady(successor) else { return successor.stop() }
            let replaced = state.withLock { state -> Bool in
                guard state.current[zygote.key] === zygote else { return false }
                state.current[zygote.key] = successor
                return true
            }
            guard replaced else { return successor.stop() }
            retire(zygote, reason: reason + "; zygote \(successor.pid.map(String.init) ?? "?") takes over")
        }
    }

    /// Ends every zygote now (their runs die with them).
    package func stopAll() {
        for zygote in zygotes { zygote.stop() }
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
}
