import Foundation
@testable import JinnDaemon
import JinnDaemonCore
import Testing

final class ConfigurationWatcherTests {
    private let directory: String
    private let file: String
    private let log = LogRecord()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "jinn-watch-\(UUID().uuidString)").path
        file = directory + "/jinn/config.toml"
        try FileManager.default.createDirectory(atPath: directory + "/jinn", withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The file a daemon of this test's environment reads: `$XDG_CONFIG_HOME/jinn/config.toml`.
    private var environment: @Sendable (String) -> String? {
        { [directory] name in ["XDG_CONFIG_HOME": directory, "HOME": "/nonexistent"][name] }
    }

    private func write(_ text: String) throws {
        // Atomically: a new inode each time, so each version has a stamp of its own whatever the clock.
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// A watcher that starts with the file's settings, as a daemon does.
    private func watcher() throws -> ConfigurationWatcher {
        let configuration = try Configuration.resolve(environment: environment)
        return ConfigurationWatcher(configuration: configuration, flags: .init(), logger: log.logger,
                                    environment: environment)
    }

    @Test func aChangedFileIsReadAgain() throws {
        try write("preload = [\"json\"]\n")
        let watcher = try watcher()
        #expect(watcher.current.preload == ["json"])
        try write("preload = [\"decimal\", \"csv\"]\nidle_timeout = 5\n")
        let reloaded = watcher.reloadIfChanged()
        #expect(reloaded.preload == ["decimal", "csv"] && reloaded.idleTimeout == 5)
        #expect(watcher.current == reloaded)
        #expect(log.contains("notice: configuration reloaded from \(file)"))
    }

    @Test func anUnchangedFileIsNotReadAgain() throws {
        try write("preload = [\"json\"]\n")
        var started = try Configuration.resolve(environment: environment)
        started.preload = ["as the daemon started"]
        let watcher = ConfigurationWatcher(configuration: started, flags: .init(), logger: log.logger,
                                           environment: environment)
        #expect(watcher.reloadIfChanged().preload == ["as the daemon started"])
        #expect(log.all.isEmpty)
    }

    @Test func anInvalidFileIsLoggedAndTheSettingsInEffectStay() throws {
        try write("preload = [\"json\"]\n")
        let watcher = try watcher()
        try write("preload = \"json\"\n")
        #expect(watcher.reloadIfChanged().preload == ["json"])
        #expect(log.contains("error: the configuration file changed but is invalid; keeping the settings in effect"))
        // Once fixed, it is read again.
        try write("preload = [\"csv\"]\n")
        #expect(watcher.reloadIfChanged().preload == ["csv"])
    }

    @Test func whereTheDaemonListensAndLogsDoesNotChange() throws {
        try write("socket_dir = \"/run/first\"\nlog_file = \"/var/log/first.log\"\n")
        let watcher = try watcher()
        try write("socket_dir = \"/run/second\"\nlog_file = \"/var/log/second.log\"\npreload = [\"json\"]\n")
        let reloaded = watcher.reloadIfChanged()
        #expect(reloaded.preload == ["json"])
        #expect(reloaded.socketDirectory == "/run/first" && reloaded.logFile == "/var/log/first.log")
    }

    @Test func aRemovedFileLeavesTheDefaults() throws {
        try write("preload = [\"json\"]\nidle_timeout = 9\n")
        let watcher = try watcher()
        try FileManager.default.removeItem(atPath: file)
        let reloaded = watcher.reloadIfChanged()
        #expect(reloaded.preload.isEmpty && reloaded.idleTimeout == 1800 && reloaded.file == nil)
        #expect(log.contains("configuration reloaded from \(file)"))
    }

    @Test func commandLineFlagsStillWinAfterAReload() throws {
        try write("preload = [\"json\"]\n")
        let flags = Configuration.Flags(preload: ["from-the-flag"])
        let configuration = try Configuration.resolve(flags: flags, environment: environment)
        let watcher = ConfigurationWatcher(configuration: configuration, flags: flags, logger: log.logger,
                                           environment: environment)
        try write("preload = [\"decimal\"]\nidle_timeout = 7\n")
        let reloaded = watcher.reloadIfChanged()
        #expect(reloaded.preload == ["from-the-flag"] && reloaded.idleTimeout == 7)
    }
}
