import JinnDaemonCore
import Logging
import Synchronization
import JinnSystem

/// The daemon's own settings, read again from its configuration file whenever the file changes.
///
/// The daemon checks the file before each run. A run's interpreter, preloads and zygote bounds are its own
/// client's (`RunRequest.settings`), laid over these; what stays the daemon's is what concerns it as a whole: its
/// limits, its idle time, its log level. An invalid file is logged and the settings in effect stay. Where the
/// daemon listens and logs cannot change while it runs.
final class ConfigurationWatcher: Sendable {
    /// The daemon's command-line settings, which win over a run's own.
    let flags: Configuration.Flags
    private let environment: @Sendable (String) -> String?
    private let logger: Logger
    private let state: Mutex<(configuration: Configuration, stamp: String)>

    /// Watches the file that `flags` and `environment` name, starting from the settings already in effect.
    init(configuration: Configuration, flags: Configuration.Flags, logger: Logger,
         environment: @escaping @Sendable (String) -> String? = ProcessEnvironment.value(of:))
    {
        self.flags = flags
        self.environment = environment
        self.logger = logger
        state = Mutex((configuration, Self.stamp(of: Configuration.filePath(flags: flags, environment: environment))))
    }

    /// The settings in effect.
    var current: Configuration { state.withLock { $0.configuration } }

    /// Reads the file again if it changed since it was last read, and returns the settings in effect.
    @discardableResult
    func reloadIfChanged() -> Configuration {
        let path = Configuration.filePath(flags: flags, environment: environment)
        let stamp = Self.stamp(of: path)
        let (current, changed) = state.withLock { state -> (Configuration, Bool) in
            defer { state.stamp = stamp }
            return (state.configuration, state.stamp != stamp)
        }
        guard changed else { return current }
        do {
            var reloaded = try Configuration.resolve(flags: flags, environment: environment)
            reloaded.socketDirectory = current.socketDirectory
            reloaded.logFile = current.logFile
            state.withLock { $0.configuration = reloaded }
            logger.notice("configuration reloaded from \(path ?? "defaults")")
            return reloaded
        } catch {
            logger.error("the configuration file changed but is invalid; keeping the settings in effect: \(error)")
            return current
        }
    }

    /// What identifies a version of the file; empty when there is none.
    private static func stamp(of path: String?) -> String {
        path.flatMap(Configuration.version(ofFile:)) ?? ""
    }
}
