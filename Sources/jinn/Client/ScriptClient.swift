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
/// daemon cannot serve, but never a run that may have begun (see ``RunHandshake``). It uses no Foundation and no
/// ArgumentParser: it is on every run's start-up path.
enum ScriptClient {
    /// The signals forwarded to the run. TSTP also stops this process; CONT is forwarded when it resumes.
    static let forwardedSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT,
                                            SIGTSTP]

    /// The exit status of a run whose outcome is lost (the daemon or the zygote went away after it may have
    /// begun): a status of Jinn's, as `timeout` and `env` use 125 for their own failures.
    static let lostStatus: Int32 = 125

    static func run(_ invocation: ClientInvocation) -> Never {
        if let problem = invocation.usageError {
            printError("jinn: \(problem); Jinn's options are described by `jinn help`")
            exit(2)
        }
        let diagnostics = Diagnostics(enabled: invocation.verbose)
        let configuration: Configuration
        do {
            configuration = try Configuration.resolve(flags: .init(configFile: invocation.configFile))
        } catch {
            // A broken file is the user's to fix, so it is always shown; the script still runs.
            printError("jinn: \(error); running the interpreter directly")
            let environment = ScriptEnvironmentLookup.environment(for: invocation, configured: nil,
                                                                  diagnostics: diagnostics)
            DirectRun.exec(invocation, configuration: Configuration(), diagnostics: diagnostics,
                           environmentInterpreter: environment?.interpreter, keeping: environment?.usageDescriptor)
        }
        // Before anything is opened, which could take the number of a closed standard descriptor.
        let inherited = InheritedDescriptors.collect()
        // Before the forwarding handlers are installed: the run starts with the caller's dispositions.
        let state = ProcessState.current()
        // A run with dependencies runs in its environment's interpreter, whether the daemon serves it or not.
        let environment = ScriptEnvironmentLookup.environment(for: invocation, configured: configuration.interpreter,
                                                              diagnostics: diagnostics)
        func direct(_ reason: String) -> Never {
            diagnostics.note("running the interpreter directly: \(reason)")
            DirectRun.exec(invocation, configuration: configuration, diagnostics: diagnostics,
                           environmentInterpreter: environment?.interpreter, keeping: environment?.usageDescriptor)
        }
        if invocation.noDaemon { direct("--no-daemon") }
        if let reason = invocation.directReason { direct(reason) }
        if let reason = ProcessStateGrant.mappingLimit(in: state) { direct(reason) }
        let terminal = RunTerminal.open()
        guard var request = makeRequest(invocation, interpreter: environment?.interpreter, state: state,
                                        configuration: configuration) else {
            direct("the working directory cannot be read")
        }
        request.terminal = terminal.map { _ in Int(getpid()) }
        let identity = BuildIdentity.current()
        let message = ClientRequest(kind: .run, identity: identity, body: request.value)
        if Marshal.encodedSize(message.value) + Frame.headerSize > configuration.maximumRequestSize {
            direct("the request is larger than max_request_size (\(configuration.maximumRequestSize) bytes)")
        }
        // Signals that arrive from now on are held until the run has a process to receive them. The pipe belongs
        // to the C side for the life of this process and is never closed here; it is close-on-exec, so a direct
        // run's interpreter does not inherit it.
        // An ignored signal is not forwarded: under nohup, SIGHUP ends neither the client nor the run.
        let forwarded = forwardedSignals.filter { !state.ignores($0) }
        let signalFD = forwarded.withUnsafeBufferPointer { jinn_signal_pipe($0.baseAddress, Int32($0.count)) }
        let launcher = DaemonLauncher(configuration: configuration, diagnostics: diagnostics)
        var replaced = false
        while true {
            let socket: FrameSocket
            switch launcher.connect() {
            case .connected(let connected): socket = connected
            case .unavailable(let reason): direct(reason)
            }
            let handshake = RunHandshake(socket: socket, request: message,
                                         wait: DaemonWait(socket: socket, signalFD: signalFD),
                                         configuration: configuration, diagnostics: diagnostics, inherited: inherited,
                                         substitutes: terminal?.substitutes ?? [:])
            switch handshake.perform() {
            case .started(let id, let pid, let held, let statusFD):
                diagnostics.note("run \(id) started as pid \(pid)")
                terminal?.releaseSlave()
                RunFollower(socket: socket, runID: id, pid: pid, signalFD: signalFD, statusFD: statusFD,
                            terminal: terminal)
                    .follow(forwarding: held)
            case .finished(let reading):
                diagnostics.note("run ended before its start was reported")
                terminal?.releaseSlave()
                RunFollower(socket: socket, runID: "", pid: -1, signalFD: signalFD, statusFD: -1, terminal: terminal)
                    .finish(reading)
            case .unannounced(let statusFD, let reason):
                diagnostics.note("run handed over; its start was not reported (\(reason))")
                terminal?.releaseSlave()
                RunFollower(socket: socket, runID: "", pid: -1, signalFD: signalFD, statusFD: statusFD,
                            terminal: terminal)
                    .follow(forwarding: [], daemonLoss: "jinn: \(reason)")
            case .otherBuild(let pid) where !replaced:
                socket.close()
                diagnostics.note("replacing the daemon \(pid) of another build")
                launcher.replace(pid: pid)
                replaced = true
            case .otherBuild(let pid):
                socket.close()
                direct("the daemon \(pid) is of another build and was not replaced")
            case .outgrown(let pid, let reason) where !replaced:
                // A daemon started from a more constrained shell (a lower hard limit, a higher niceness) would
                // otherwise send every later run of a less constrained one to a cold interpreter.
                socket.close()
                diagnostics.note("replacing the daemon \(pid): \(reason)")
                launcher.replace(pid: pid)
                replaced = true
            case .outgrown(_, let reason):
                socket.close()
                direct("the daemon cannot run it (\(reason))")
            case .direct(let reason):
                socket.close()
                direct(reason)
            case .refused(let text):
                printError("jinn: \(text)")
                exit(127)
            case .lost(let reason):
                printError("jinn: the run was lost: \(reason); it may have begun, so it is not started again")
                exit(lostStatus)
            case .interrupted(let number):
                socket.close()
                jinn_die_of_signal(number)
                exit(128 + number)
            }
        }
    }

    /// The request of a run, with the settings this client resolved (which its zygote follows) and its process
    /// state (which the run takes on).
    private static func makeRequest(_ invocation: ClientInvocation, interpreter: String?, state: ProcessState,
                                    configuration: Configuration) -> RunRequest?
    {
        // A directory deleted under the caller has no name; the run enters it by descriptor (RunHandshake) as long
        // as it can be opened.
        guard let cwd = FileSystem.currentDirectory() ?? WorkingDirectory.unnamed() else { return nil }
        return RunRequest(entry: invocation.entry, arguments: invocation.arguments, workingDirectory: cwd,
                          environment: ProcessEnvironment.entries(), umask: Int(jinn_umask_get()),
                          interpreter: interpreter.map { Array($0.utf8) }, settings: configuration.runSettings,
                          processState: state, parent: Int(getppid()), options: invocation.runOptions)
    }
}
