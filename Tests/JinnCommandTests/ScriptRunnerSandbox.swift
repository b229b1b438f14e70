import CJinn
import Foundation
import Jinn
import JinnDaemonCore
import JinnSystem
import JinnWire
import Testing

/// A private world for one script-runner test: its own socket directory, configuration file and home, so that each
/// test gets its own daemon; helpers that run `jinn` and the real interpreter side by side in it.
final class ScriptRunnerSandbox: @unchecked Sendable {
    let root: URL
    let python: PythonInterpreter
    var environment: [String: String]

    var socketDirectory: String { root.path + "/sock" }
    var configFile: String { root.path + "/config.toml" }
    var logFile: String { socketDirectory + "/daemon.log" }
    var scripts: URL { root.appending(path: "scripts") }

    /// What a process printed and how it ended.
    struct Outcome: Equatable, CustomStringConvertible {
        var termination: Termination
        var standardOutput: Data
        var standardError: Data

        var output: String { String(decoding: standardOutput, as: UTF8.self) }
        var errors: String { String(decoding: standardError, as: UTF8.self) }
        var description: String { "\(termination); stdout: \(output.debugDescription); stderr: \(errors.debugDescription)" }
    }

    init(configuration: String = "") async throws {
        // Short: a Unix socket path must fit in 108 bytes.
        root = URL(fileURLWithPath: "/tmp/jt-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root.appending(path: "scripts"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appending(path: "home"), withIntermediateDirectories: true)
        python = try await PythonInterpreter.system()
        let pythonDirectory = URL(fileURLWithPath: python.executable).deletingLastPathComponent().path
        environment = [
            "PATH": "\(pythonDirectory):\(CommandRunner.executable.deletingLastPathComponent().path):/usr/bin:/bin",
            "HOME": root.path + "/home",
            "LANG": "C.UTF-8",
            "JINN_SOCKET_DIR": root.path + "/sock",
            "JINN_CONFIG": root.path + "/config.toml",
        ]
        // A leaked daemon still goes away by itself.
        try writeConfiguration("idle_timeout = 300\n" + configuration)
    }

    /// Stops this sandbox's daemon (SIGKILL if it does not go) and removes its files.
    func tearDown() {
        if let pid = try? daemonPID() {
            kill(pid, SIGTERM)
            for _ in 0..<300 where isRunning(pid) { usleep(10_000) }
            if isRunning(pid) { kill(pid, SIGKILL) }
        }
        // A daemon that is still going away may write its last log line while the tree is removed: try again.
        for _ in 0..<20 {
            try? FileManager.default.removeItem(at: root)
            if !FileManager.default.fileExists(atPath: root.path) { break }
            usleep(50_000)
        }
    }

    func writeConfiguration(_ text: String) throws {
        try text.write(toFile: configFile, atomically: false, encoding: .utf8)
    }

    /// Writes a script into the sandbox and returns its path.
    @discardableResult
    func script(_ name: String, _ source: String) throws -> String {
        let url = scripts.appending(path: name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try source.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    // MARK: - Running

    func jinn(_ arguments: [String], input: Data = Data(), directory: String? = nil,
              environment extra: [String: String] = [:]) throws -> Outcome
    {
        try run(CommandRunner.executable.path, arguments, input: input, directory: directory, extra: extra)
    }

    func python3(_ arguments: [String], input: Data = Data(), directory: String? = nil,
                 environment extra: [String: String] = [:]) throws -> Outcome
    {
        try run(python.executable, arguments, input: input, directory: directory, extra: extra)
    }

    /// Runs a `/bin/sh` command line in the sandbox.
    func shell(_ command: String, environment extra: [String: String] = [:]) throws -> Outcome {
        try run("/bin/sh", ["-c", command], input: Data(), directory: nil, extra: extra)
    }

    /// Starts `jinn` without waiting; the caller owns the process.
    func startJinn(_ arguments: [String], directory: String? = nil, environment extra: [String: String] = [:]) throws
        -> Spawned
    {
        try Spawned(CommandRunner.executable.path, arguments, environment: environment.merging(extra) { $1 },
                    directory: directory ?? scripts.path)
    }

    private func run(_ executable: String, _ arguments: [String], input: Data, directory: String?,
                     extra: [String: String]) throws -> Outcome
    {
        let process = try Spawned(executable, arguments, environment: environment.merging(extra) { $1 },
                                  directory: directory ?? scripts.path)
        process.write(input)
        process.closeInput()
        return process.wait()
    }

    // MARK: - The daemon

    /// Sends an administrative request straight to the daemon's socket.
    func request(_ kind: ClientRequest.Kind, body: PythonValue = .none) throws -> PythonValue {
        let socket = try FrameSocket.connect(to: socketDirectory + "/daemon.sock")
        defer { socket.close() }
        try socket.send(ClientRequest(kind: kind, identity: try daemonIdentity(), body: body).value)
        guard let value = try socket.receive(), case .reply(let reply) = try DaemonMessage(value) else {
            throw SandboxError("no reply to \(kind)")
        }
        return reply
    }

    /// The identity the daemon answers to, as the daemon states it.
    func daemonIdentity() throws -> String {
        let socket = try FrameSocket.connect(to: socketDirectory + "/daemon.sock")
        defer { socket.close() }
        try socket.send(ClientRequest(kind: .status, identity: "probe").value)
        guard let value = try socket.receive(), case .versionMismatch(let identity, _) = try DaemonMessage(value)
        else { throw SandboxError("the daemon did not state its identity") }
        return identity
    }

    func daemonPID() throws -> pid_t {
        pid_t(try request(.status)["pid"]?.intValue ?? 0)
    }

    /// Processes whose command line is `jinn daemon serve … --socket-dir THIS SANDBOX`.
    func daemonProcesses() -> [pid_t] {
        ProcessStatus.allPIDs.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            // A zombie (exited, not yet reaped by its starter) is not a daemon.
            return words.contains("serve") && words.contains(socketDirectory) && isRunning(pid)
        }
    }

    func log() -> String {
        (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
    }
}

struct SandboxError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A child started the way a shell starts one: default signal dispositions, an empty signal mask (a test runner
/// may ignore or block signals, and both are inherited), pipes for its standard streams.
final class Spawned: @unchecked Sendable {
    let pid: pid_t
    private var input: Int32
    private let output: Collector
    private let errors: Collector

    init(_ executable: String, _ arguments: [String], environment: [String: String], directory: String) throws {
        let stdin = try OwnedDescriptor.makePipe()
        let stdout = try OwnedDescriptor.makePipe()
        let stderr = try OwnedDescriptor.makePipe()
        let argv = CStringArray([executable] + arguments)
        let envp = CStringArray(environment.map { "\($0.key)=\($0.value)" })
        var pid: pid_t = 0
        let fds = [stdin.readEnd.rawValue, stdout.writeEnd.rawValue, stderr.writeEnd.rawValue]
        let error = argv.withUnsafePointer { argv in
            envp.withUnsafePointer { envp in jinn_spawn(executable, argv, envp, directory, fds, 3, 0, &pid) }
        }
        guard error == 0 else { throw SandboxError("cannot start \(executable): \(Errno(rawValue: error))") }
        // The parent's ends are handed on; the child's close as the pipes end, at the end of this initializer.
        self.pid = pid
        input = stdin.writeEnd.release()
        output = Collector(FileHandle(fileDescriptor: stdout.readEnd.release(), closeOnDealloc: true))
        errors = Collector(FileHandle(fileDescriptor: stderr.readEnd.release(), closeOnDealloc: true))
    }

    func write(_ data: Data) {
        guard input >= 0 else { return }
        data.withUnsafeBytes { _ = jinn_write_all(input, $0.baseAddress, $0.count) }
    }

    func closeInput() {
        if input >= 0 { close(input) }
        input = -1
    }

    /// Reads standard output until it holds `text` (or the stream ends); returns what was read so far.
    func readOutput(until text: String, within seconds: Double = 10) -> String {
        var seen = ""
        eventually(within: seconds) {
            seen = String(decoding: output.snapshot(), as: UTF8.self)
            return seen.contains(text)
        }
        return seen
    }

    /// Waits for the child and returns what it printed and how it ended.
    func wait() -> ScriptRunnerSandbox.Outcome {
        closeInput()
        var status: Int32 = 0
        _ = retryingInterrupts { waitpid(pid, &status, 0) }
        let termination: Termination = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
        return ScriptRunnerSandbox.Outcome(termination: termination, standardOutput: output.wait(),
                                           standardError: errors.wait())
    }
}

/// Reads a pipe to its end on a thread of its own.
final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { data.append(chunk) }
            }
            done.signal()
        }.start()
    }

    func snapshot() -> Data {
        lock.withLock { data }
    }

    func wait() -> Data {
        done.wait()
        return snapshot()
    }
}

/// Whether a process exists (and is not a zombie).
func isRunning(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    return ProcessStatus(pid)?.state != "Z"
}

/// Polls until `condition` holds, for at most `seconds`; returns whether it held.
@discardableResult
func eventually(within seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return try condition()
}
