import CJinn
import JinnDaemonCore
import JinnSystem
import JinnWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The client's fast path: hands a script run to the daemon with this process's standard descriptors, forwards
/// signals to the run's process group, and ends the way the run ended. Runs the interpreter directly whenever the
/// daemon cannot serve. It uses no Foundation and no ArgumentParser: it is on every run's start-up path.
enum ScriptClient {
    /// The signals forwarded to the run. TSTP also stops this process; CONT is forwarded when it resumes.
    static let forwardedSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT,
                                            SIGTSTP]

    static func run(_ invocation: ClientInvocation) -> Never {
        let diagnostics = Diagnostics(enabled: invocation.verbose)
        let configuration: Configuration
        do {
            configuration = try Configuration.resolve(flags: .init(configFile: invocation.configFile))
        } catch {
            // A broken file is the user's to fix, so it is always shown; the script still runs.
            printError("jinn: \(error); running the interpreter directly")
            let environment = ScriptEnvironmentLookup.environment(for: invocation, configured: nil,
                                                                  diagnostics: diagnostics)
            DirectRun.exec(invocation, interpreter: environment?.interpreter, diagnostics: diagnostics,
                           keeping: environment?.usageDescriptor)
        }
        // Before anything is opened, which could take the number of a closed standard descriptor.
        var closedDescriptor: Int32?
        for fd: Int32 in 0...2 where closedDescriptor == nil && fcntl(fd, F_GETFD) < 0 { closedDescriptor = fd }
        // A run with dependencies runs in its environment's interpreter, whether the daemon serves it or not.
        let environment = ScriptEnvironmentLookup.environment(for: invocation, configured: configuration.interpreter,
                                                              diagnostics: diagnostics)
        let interpreter = environment?.interpreter ?? configuration.interpreter
        let kept = environment?.usageDescriptor
        if invocation.noDaemon {
            DirectRun.exec(invocation, interpreter: interpreter, diagnostics: diagnostics, keeping: kept)
        }
        if let fd = closedDescriptor {
            diagnostics.note("running the interpreter directly: descriptor \(fd) is closed")
            DirectRun.exec(invocation, interpreter: interpreter, diagnostics: diagnostics, keeping: kept)
        }
        guard let request = makeRequest(invocation, interpreter: environment?.interpreter) else {
            diagnostics.note("running the interpreter directly: the working directory cannot be read")
            DirectRun.exec(invocation, interpreter: interpreter, diagnostics: diagnostics, keeping: kept)
        }
        // Signals that arrive from now on are held until the run has a process to receive them. The pipe belongs
        // to the C side for the life of this process and is never closed here; it is close-on-exec, so a direct
        // run's interpreter does not inherit it.
        let signalFD = forwardedSignals.withUnsafeBufferPointer { jinn_signal_pipe($0.baseAddress, Int32($0.count)) }
        let identity = BuildIdentity.current()
        let launcher = DaemonLauncher(configuration: configuration, diagnostics: diagnostics)
        var replaced = false
        while true {
            let socket: FrameSocket
            switch launcher.connect() {
            case .connected(let connected): socket = connected
            case .unavailable(let reason):
                diagnostics.note("running the interpreter directly: \(reason)")
                DirectRun.exec(invocation, interpreter: interpreter, diagnostics: diagnostics, keeping: kept)
            }
            let message = ClientRequest(kind: .run, identity: identity, body: request.value)
            var sendError: SocketError?
            do {
                // Lent, not given: the daemon receives copies of its own for the run, and this process keeps its
                // standard descriptors.
                try socket.send(message.value, passing: [0, 1, 2])
            } catch {
                // A daemon that refuses the request (another build) may answer and close before reading it all.
                sendError = error
            }
            let reply: DaemonMessage
            do {
                guard let value = try socket.receive() else {
                    throw sendError ?? SocketError(protocol: "the daemon closed the connection without answering")
                }
                reply = try DaemonMessage(value)
            } catch {
                socket.close()
                diagnostics.note("running the interpreter directly: the daemon did not take the request: \(error)")
                DirectRun.exec(invocation, interpreter: interpreter, diagnostics: diagnostics, keeping: kept)
            }
            switch reply {
            case .started(let id, let pid):
                diagnostics.note("run \(id) started as pid \(pid)")
                follow(socket, runID: id, pid: pid_t(pid), signalFD: signalFD)
            case .versionMismatch(let other, let pid) where !replaced:
                socket.close()
                diagnostics.note("replacing the daemon \(pid) of another build (\(other))")
                launcher.replace(pid: pid_t(pid))
                replaced = true
            case .error(let code, let text):
                socket.close()
                diagnostics.note("running the interpreter directly: the daemon cannot run it (\(code): \(text))")
                DirectRun.exec(invocation, interpreter: interpreter, diagnostics: diagnostics, keeping: kept)
            default:
                socket.close()
                diagnostics.note("running the interpreter directly: unexpected answer \(reply)")
                DirectRun.exec(invocation, interpreter: interpreter, diagnostics: diagnostics, keeping: kept)
            }
        }
    }

    /// Waits for the run to end while forwarding signals; ends this process the way the run ended.
    private static func follow(_ socket: FrameSocket, runID: String, pid: pid_t, signalFD: Int32) -> Never {
        var fds = [pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)]
        while true {
            // A signal that arrived before the run started is in the pipe already, and handled first. A message
            // read together with the previous one is already buffered.
            fds[0].revents = 0
            fds[1].revents = 0
            let watched = nfds_t(signalFD >= 0 ? 2 : 1)
            let count = socket.hasBufferedFrame ? 1 : retryingInterrupts { poll(&fds, watched, -1) }
            if count < 0 {
                printError("jinn: waiting for the run failed: \(Errno.current)")
                terminate(pid)
                exit(1)
            }
            if signalFD >= 0 && fds[1].revents != 0 {
                var numbers = [UInt8](repeating: 0, count: 64)
                // The pipe does not block: a signal whose byte was read with an earlier one leaves it empty.
                let count = numbers.withUnsafeMutableBytes { buffer in
                    retryingInterrupts { read(signalFD, buffer.baseAddress, buffer.count) }
                }
                for number in numbers.prefix(max(count, 0)) {
                    forward(Int32(number), to: pid)
                }
            }
            if fds[0].revents != 0 || socket.hasBufferedFrame {
                let message: DaemonMessage?
                do {
                    if let value = try socket.receive() {
                        message = try DaemonMessage(value)
                    } else {
                        message = nil
                    }
                } catch {
                    printError("jinn: lost the daemon during the run \(runID): \(error)")
                    terminate(pid)
                    exit(1)
                }
                switch message {
                case .exited(let status)?:
                    exit(Int32(truncatingIfNeeded: status))
                case .signaled(let number)?:
                    jinn_die_of_signal(Int32(number))
                    exit(128 + Int32(number))
                case .error(_, let text)?:
                    printError("jinn: \(text)")
                    exit(1)
                case nil:
                    printError("jinn: the daemon ended during the run \(runID); its result is lost")
                    terminate(pid)
                    exit(1)
                default:
                    continue
                }
            }
        }
    }

    private static func forward(_ number: Int32, to pid: pid_t) {
        if number == SIGTSTP {
            // Ctrl-Z: the run stops, then this client stops as a shell expects; `fg` continues both. The run leads
            // a session of its own, so the kernel ignores TSTP's default stop there (an orphaned process group):
            // a handler for TSTP still runs, and STOP does the stopping.
            kill(-pid, SIGTSTP)
            kill(-pid, SIGSTOP)
            jinn_stop_self()
            return
        }
        if kill(-pid, number) != 0 { kill(pid, number) }
    }

    /// Makes sure nothing keeps running when the client gives up on a run.
    private static func terminate(_ pid: pid_t) {
        kill(-pid, SIGTERM)
    }

    private static func makeRequest(_ invocation: ClientInvocation, interpreter: String?) -> RunRequest? {
        guard let cwd = FileSystem.currentDirectory() else { return nil }
        return RunRequest(entry: invocation.entry, arguments: invocation.arguments, workingDirectory: cwd,
                          environment: ProcessEnvironment.entries(), umask: Int(jinn_umask_get()),
                          interpreter: interpreter.map { Array($0.utf8) })
    }
}
