import CJinn
import JinnSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the daemon of a socket directory, starting it when none answers.
///
/// Two clients that start a daemon at the same moment both spawn one; the daemon that takes the directory's lock
/// serves and the other exits at once, and both clients connect to the winner.
package struct DaemonLauncher {
    package var configuration: Configuration
    package var diagnostics: Diagnostics
    /// Settings from the command line that the daemon must get too.
    package var flags = Configuration.Flags()
    /// How long a client waits for a daemon it started to answer.
    package var startTimeout: Duration = .seconds(5)

    package init(configuration: Configuration, diagnostics: Diagnostics, flags: Configuration.Flags = .init()) {
        self.configuration = configuration
        self.diagnostics = diagnostics
        self.flags = flags
    }

    package enum Outcome {
        case connected(FrameSocket)
        case unavailable(String)
    }

    package var directory: SocketDirectory { SocketDirectory(unchecked: configuration.socketDirectory) }

    /// Connects to the daemon, starting one if needed.
    package func connect() -> Outcome {
        if FileSystem.linkStatus(directory.path) != nil {
            do {
                try directory.check()
            } catch {
                return .unavailable(error.description)
            }
        }
        switch attempt() {
        case .success(let socket): return .connected(socket)
        case .failure(let error) where error.errno == ENOENT || error.errno == ECONNREFUSED:
            break
        case .failure(let error) where error.isTimeout:
            return .unavailable("the daemon did not take the connection within \(configuration.clientTimeout) s")
        case .failure(let error): return .unavailable(error.description)
        }
        diagnostics.note("no daemon answers at \(directory.socketPath); starting one")
        let pid: pid_t
        switch spawnDaemon() {
        case .success(let spawned): pid = spawned
        case .failure(let reason): return .unavailable(reason.description)
        }
        let clock = ContinuousClock()
        let deadline = clock.now + startTimeout
        var pause: UInt32 = 1000
        var exited = false
        while clock.now < deadline {
            switch attempt() {
            case .success(let socket): return .connected(socket)
            case .failure(let error) where error.errno == ENOENT || error.errno == ECONNREFUSED: break
            case .failure(let error): return .unavailable(error.description)
            }
            if !exited {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid {
                    exited = true
                    // Status 0: another daemon won the race and is about to answer; anything else is a failure.
                    if status != 0 {
                        return .unavailable(
                            "the daemon could not start (see jinn daemon serve, or its log \(configuration.effectiveLogFile))")
                    }
                }
            }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
        return .unavailable("the daemon did not answer within \(startTimeout)")
    }

    /// Stops a daemon of another build and waits until it has given up the socket.
    package func replace(pid: pid_t) {
        kill(pid, SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(3)
        while clock.now < deadline {
            if case .failure = attempt() { return }
            usleep(2000)
        }
    }

    private func attempt() -> Result<FrameSocket, SocketError> {
        do {
            return .success(try FrameSocket.connect(to: directory.socketPath,
                                                    within: .milliseconds(Int(configuration.clientTimeout * 1000))))
        } catch {
            return .failure(error)
        }
    }

    /// Starts `jinn-tool daemon serve` in a session of its own, with no terminal and no descriptors of ours.
    package func spawnDaemon() -> Result<pid_t, SocketError> {
        guard let executable = Executables.sibling(Executables.tool) else {
            return .failure(SocketError(protocol: "cannot find this program's own executable"))
        }
        var flags = self.flags
        flags.configFile = flags.configFile ?? configuration.file
        flags.socketDirectory = configuration.socketDirectory
        let arguments = CStringArray([executable, "daemon", "serve"] + flags.arguments)
        // Standard input, output and error on /dev/null: the daemon holds none of the client's descriptors.
        let fds: [Int32] = [-1, -1, -1]
        var pid: pid_t = 0
        let error = arguments.withUnsafePointer { argv in
            fds.withUnsafeBufferPointer { fdPointer in
                jinn_spawn(executable, argv, ProcessEnvironment.unsafeCArray, "/", fdPointer.baseAddress, 3,
                           Int32(JINN_SPAWN_SETSID), &pid)
            }
        }
        guard error == 0 else { return .failure(SocketError(operation: "start \(executable)", errno: error)) }
        return .success(pid)
    }
}
