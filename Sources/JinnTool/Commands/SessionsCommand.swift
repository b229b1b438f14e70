import ArgumentParser
import Foundation
import JinnDaemon
import JinnDaemonCore
import JinnWire

/// `jinn sessions`: the scripts the daemon is running.
struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions", abstract: "List the scripts the daemon is running.")
    @OptionGroup var options: DaemonOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let configuration = try options.resolve()
        let sessions: [PythonValue]
        do {
            sessions = try AdminClient(configuration: configuration).request(.sessions).elements ?? []
        } catch .notRunning {
            if json { print("[]") } else { print("no daemon is running") }
            return
        } catch {
            printError("jinn: \(error)")
            throw ExitCode(1)
        }
        if json {
            print(JSONText.render(.list(sessions)))
            return
        }
        guard !sessions.isEmpty else {
            print("no scripts running")
            return
        }
        var rows = [["ID", "PID", "STARTED", "DURATION", "CWD", "SCRIPT"]]
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        for session in sessions {
            let started = Date(timeIntervalSince1970: session["started"]?.doubleValue ?? 0)
            let arguments = session["args"]?.elements?.compactMap(\.stringValue) ?? []
            rows.append([
                session["id"]?.stringValue ?? "",
                session["pid"]?.intValue.map(String.init) ?? "-",
                formatter.string(from: started),
                Formatting.duration(session["duration"]?.doubleValue ?? 0),
                session["cwd"]?.stringValue ?? "",
                ([session["script"]?.stringValue ?? ""] + arguments).joined(separator: " "),
            ])
        }
        Formatting.printTable(rows)
    }
}

/// `jinn kill SELECTOR`: signals running scripts.
struct KillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill",
        abstract: "Send a signal to running scripts: by session id, id prefix, script name, or all.")
    @OptionGroup var options: DaemonOptions
    @Option(name: .shortAndLong, help: "The signal, by name (TERM, KILL, INT, …) or number.")
    var signal = "TERM"
    @Argument(help: "A session id, an id prefix, a script name (path or file name), or 'all'.")
    var selector: String

    func run() throws {
        guard let number = Signals.number(signal) else {
            printError("jinn: unknown signal '\(signal)'; use a name such as TERM, KILL or INT, or a number")
            throw ExitCode(2)
        }
        let configuration = try options.resolve()
        let killed: [PythonValue]
        do {
            killed = try AdminClient(configuration: configuration)
                .request(.kill, body: .tuple([.string(selector), .int(Int(number))])).elements ?? []
        } catch {
            printError("jinn: \(error)")
            throw ExitCode(1)
        }
        guard !killed.isEmpty else {
            printError("jinn: no running script matches '\(selector)'")
            throw ExitCode(1)
        }
        for id in killed.compactMap(\.stringValue) { print("signalled \(id)") }
    }
}
