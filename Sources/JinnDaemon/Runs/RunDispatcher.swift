import Jinn
import JinnDaemonCore
import JinnWire

/// Takes a run request to its zygote: the run's own settings (those its client resolved, over the daemon's), the
/// interpreter, the zygote of the run's key, ready within the bound of a zygote's start.
final class RunDispatcher: Sendable {
    let settings: ConfigurationWatcher
    let interpreters: InterpreterResolver
    let pool: ZygotePool
    /// The script environments runs came from, each read once.
    private let environments = KnownScriptEnvironments()

    init(settings: ConfigurationWatcher, interpreters: InterpreterResolver, pool: ZygotePool) {
        self.settings = settings
        self.interpreters = interpreters
        self.pool = pool
    }

    /// The zygote that will serve a run, once it has preloaded. Nothing of the run has been handed to it.
    ///
    /// - Throws: ``DaemonError`` when there is no usable interpreter, or no zygote is ready within
    ///   `zygote_start_timeout` (the one still preloading is then given up, see ``ZygotePool/abandon(_:after:)``).
    func zygote(for request: RunRequest) throws(DaemonError) -> Zygote {
        var configuration = settings.reloadIfChanged()
        if let run = request.settings { configuration = configuration.applying(run, keeping: settings.flags) }
        // Runs whose own settings differ have zygotes of their own; a script environment's preloads, which grow as
        // scripts ask for more, make its zygote stale instead (see `Zygote.staleness(settings:)`).
        let keySettings = configuration.zygoteSettings
        var scriptPreload: [String] = [], dependencyPreload: [String] = []
        // A script environment's own preloads (`[tool.jinn] preload` of the blocks it was made for) join the
        // configured ones in that environment's zygote.
        if let path = request.interpreter,
           let (environment, dependencies) = environments.environment(forInterpreter: String(decoding: path, as: UTF8.self))
        {
            scriptPreload = environment.preload.filter { !configuration.preload.contains($0) }
            configuration.preload += scriptPreload
            dependencyPreload = dependencies.filter { !configuration.preload.contains($0) }
        }
        let interpreter = try interpreters.interpreter(for: request, configuration: configuration)
        let key = ZygoteKey(executable: interpreter.executable, environment: request.environment,
                            settings: keySettings, options: request.options?.interpreter ?? [])
        let zygote = try pool.zygote(for: key, interpreter: interpreter, configuration: configuration,
                                     scriptPreload: scriptPreload, dependencyPreload: dependencyPreload)
        let timeout = configuration.zygoteStartTimeout
        guard zygote.waitUntilReady(timeout: .milliseconds(Int(timeout * 1000))) else {
            if zygote.hasEnded {
                throw .direct("the Python zygote ended while it preloaded (it \(zygote.termination.map { "\($0)" } ?? "did not start"))")
            }
            pool.abandon(zygote, after: timeout)
            throw .direct("the Python zygote did not finish preloading within \(timeout) s")
        }
        // A zygote made with learned preloads that misbehave serves no run: the next one is made without them.
        if pool.refuseMisbehaving(zygote) { throw .direct("a learned preload of the Python zygote misbehaved") }
        return zygote
    }

    /// What the client's `--verbose` diagnostics get to know about a zygote: the modules it could not preload.
    func notes(for zygote: Zygote) -> [String] {
        let failures = zygote.summary.facts?.failures.map { "\($0.module) (\($0.error))" } ?? []
        let skipped = pool.skippedPreloads(for: zygote.key.executable).map { "\($0.module) (\($0.reason))" }
        let all = failures + skipped
        return all.isEmpty ? [] : ["not preloaded: " + all.joined(separator: ", ")]
    }

    /// Hands a run to its zygote (or, if that one ended or was retired meanwhile, to a replacement), taking the
    /// client's claim just before. The caller keeps (and closes) its copies of the descriptors, and keeps
    /// `session`'s client connection open until it has called ``Session/clientClosed()``.
    ///
    /// - Throws: ``DaemonError/clientGone`` when the client gave the run up; ``DaemonError/unstarted(_:)`` when no
    ///   zygote took it. Either way the run has not begun.
    func start(_ session: Session, request: RunRequest, on first: Zygote, descriptors: [Int32],
               claim: () -> Bool) throws(DaemonError)
    {
        var zygote = first
        var refusal: ZygoteRefusal?
        for attempt in 0..<2 {
            if attempt > 0 {
                do {
                    zygote = try self.zygote(for: request)
                } catch {
                    throw .unstarted(error.description)
                }
            }
            do {
                try zygote.submit(session, request: request, descriptors: descriptors, claim: claim)
                return
            } catch {
                if error.clientGone { throw .clientGone }
                refusal = error
                pool.retire(zygote, reason: "it could not take a run: \(error)")
            }
        }
        throw .unstarted("the Python zygote did not take the run: \(refusal.map(\.reason) ?? "")")
    }
}
