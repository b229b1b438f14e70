import ArgumentParser
import Foundation
import JinnDaemon
import JinnDaemonCore
import JinnWire

/// `jinn daemon start|stop|restart|status|serve`.
struct DaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Manage the script runner's daemon (it also starts by itself on first use).",
        subcommands: [Start.self, Stop.self, Restart.self, Status.self, Serve.self]
    )

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the daemon in the background.")
        @OptionGroup var options: DaemonOptions

        func run() throws {
            let configuration = try options.resolve()
            try DaemonCommand.start(configuration, flags: options.flags)
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop the daemon; it stops listening at once and exits when its runs have ended.")
        @OptionGroup var options: DaemonOptions

        func run() throws {
            try DaemonCommand.stop(try options.resolve())
        }
    }

    struct Restart: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the daemon and start a new one.")
        @OptionGroup var options: DaemonOptions

        func run() throws {
            let configuration = try options.resolve()
            try DaemonCommand.stop(configuration)
            try DaemonCommand.start(configuration, flags: options.flags)
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show uptime, zygotes, runs served and start latency percentiles.")
        @OptionGroup var options: DaemonOptions
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() throws {
            let configuration = try options.resolve()
            let status: PythonValue
            do {
                status = try AdminClient(configuration: configuration).request(.status)
            } catch {
                printError("jinn: \(error)")
                throw ExitCode(error.isNotRunning ? 3 : 1)
            }
            if json {
                print(JSONText.render(status))
                return
            }
            func number(_ key: String, _ format: String) -> String {
                status[.string(key)]?.doubleValue.map { String(format: format, $0) } ?? "–"
            }
            print("""
                daemon:     pid \(status["pid"]?.intValue ?? 0), up \(Formatting.duration(status["uptime"]?.doubleValue ?? 0))
                build:      \(status["identity"]?.stringValue ?? "")
                socket:     \(status["socket"]?.stringValue ?? "")
                log:        \(status["log"]?.stringValue ?? "")
                config:     \(status["config"]?.stringValue ?? "(defaults)")
                preload:    \(status["preload"]?.elements?.compactMap(\.stringValue).joined(separator: ", ") ?? "")
                runs:       \(status["runs"]?.intValue ?? 0) served, \(status["active"]?.intValue ?? 0) running
                start latency: p50 \(number("latency_p50_ms", "%.2f")) ms, p90 \(number("latency_p90_ms", "%.2f")) ms, \
                p99 \(number("latency_p99_ms", "%.2f")) ms
                """)
            let zygotes = status["zygotes"]?.elements ?? []
            print("zygotes:    \(zygotes.isEmpty ? "none" : "")")
            for zygote in zygotes {
                let preloaded = zygote["preloaded"]?.elements?.compactMap(\.stringValue).map { module in
                    zygote["why"]?[.string(module)]?.stringValue.map { "\(module) (\($0))" } ?? module
                }.joined(separator: ", ") ?? ""
                let refused = zygote["refused"]?.elements?.compactMap { item in
                    item[0]?.stringValue.map { "\($0) (\(item[1]?.stringValue ?? ""))" }
                }.joined(separator: ", ") ?? ""
                let failed = zygote["failed"]?.elements?.compactMap { item in
                    item[0]?.stringValue.map { "\($0) (\(item[1]?.stringValue ?? ""))" }
                }.joined(separator: ", ") ?? ""
                let memory = Double(zygote["memory"]?.intValue ?? 0) / 1_048_576
                var state = zygote["ready"]?.boolValue == true ? "ready" : "starting"
                if zygote["retired"]?.boolValue == true { state = "retired" }
                let pid = zygote["pid"]?.intValue.map(String.init) ?? "-"  // none while it is being launched
                print("""
                      pid \(pid) (\(state)), \(String(format: "%.1f", memory)) MiB, \
                    \(zygote["runs"]?.intValue ?? 0) runs, \(zygote["active"]?.intValue ?? 0) running
                        environment: \(zygote["environment"]?.stringValue ?? "")
                        preloaded:   \(preloaded.isEmpty ? "(nothing)" : preloaded)
                    """)
                if !failed.isEmpty { print("        failed:      \(failed)") }
                if !refused.isEmpty { print("        refused:     \(refused)") }
            }
            for skipped in status["skipped_preloads"]?.elements ?? [] {
                print("""
                    not preloaded: \(skipped["module"]?.stringValue ?? "") for \(skipped["interpreter"]?.stringValue ?? ""): \
                    \(skipped["reason"]?.stringValue ?? "")
                    """)
            }
        }
    }

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the daemon in this process (what start runs in the background).")
        @OptionGroup var options: DaemonOptions

        func run() throws {
            let configuration = try options.resolve()
            let daemon: Daemon
            do {
                daemon = try Daemon.start(configuration: configuration, flags: options.flags)
            } catch .alreadyRunning {
                printError("jinn: another daemon already serves \(configuration.socketDirectory)")
                return
            } catch {
                printError("jinn: \(error)")
                throw ExitCode(1)
            }
            daemon.serve()
        }
    }

    static func start(_ configuration: Configuration, flags: Configuration.Flags) throws {
        let admin = AdminClient(configuration: configuration)
        if let status = try? admin.request(.status) {
            print("jinn: the daemon is already running (pid \(status["pid"]?.intValue ?? 0))")
            return
        }
        var launcher = DaemonLauncher(configuration: configuration, diagnostics: Diagnostics(enabled: false),
                                      flags: flags)
        launcher.startTimeout = .seconds(10)
        switch launcher.connect() {
        case .connected(let socket):
            socket.close()
            let pid = (try? admin.request(.status))?["pid"]?.intValue ?? 0
            print("jinn: daemon started (pid \(pid)), socket \(admin.socketPath)")
        case .unavailable(let reason):
            printError("jinn: the daemon did not start: \(reason)")
            throw ExitCode(1)
        }
    }

    static func stop(_ configuration: Configuration) throws {
        let admin = AdminClient(configuration: configuration)
        let pid: Int
        do {
            pid = try admin.request(.stop)["pid"]?.intValue ?? 0
        } catch .notRunning {
            print("jinn: no daemon is running")
            return
        } catch .otherBuild(_, let other) {
            kill(pid_t(other), SIGTERM)
            pid = other
        } catch {
            printError("jinn: \(error)")
            throw ExitCode(1)
        }
        // The daemon gives up its socket at once and exits once its runs have ended.
        let deadline = ContinuousClock.now + .seconds(30)
        while AdminClient.isAlive(pid) && ContinuousClock.now < deadline {
            usleep(10_000)
        }
        print(AdminClient.isAlive(pid)
              ? "jinn: the daemon (pid \(pid)) stopped listening and is waiting for its runs to end"
              : "jinn: daemon stopped (pid \(pid))")
    }
}

extension AdminClient.Failure {
    var isNotRunning: Bool {
        if case .notRunning = self { return true }
        return false
    }
}
