import CJinn
import JinnDaemonCore
import JinnSystem
import JinnWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A run's start, as the client takes part in it (see `DaemonProtocol`): the request, the daemon's `ready`, the
/// streams with the claim, and the run's start. Every wait is bounded; when a bound is reached or the daemon fails
/// the client runs the interpreter itself, but only while the claim proves that the run never began.
struct RunHandshake {
    let socket: FrameSocket
    let request: ClientRequest
    let wait: DaemonWait
    let configuration: Configuration
    let diagnostics: Diagnostics
    /// The client's descriptors that the run gets at their numbers.
    let inherited: InheritedDescriptors
    /// Descriptors sent in place of the client's own at these numbers (the run's terminal for the caller's).
    var substitutes: [Int32: Int32] = [:]

    enum Outcome {
        /// The run started; `held` are signals that arrived meanwhile, to be forwarded now; `statusFD` is the read
        /// end of its ``StatusPipe``.
        case started(runID: String, pid: Int32, held: [Int32], statusFD: Int32)
        /// The run started and ended before its start was reported: its status pipe said how.
        case finished(StatusPipe.Reading)
        /// The daemon took the run and then went away or lost track of it, for this reason, before it told the
        /// run's start: the run may be running, and only its status pipe (`statusFD`) can tell how it ends. No
        /// signal can reach it from this client, which never learnt its pid.
        case unannounced(statusFD: Int32, reason: String)
        /// The daemon is another build, with this pid.
        case otherBuild(pid: Int32)
        /// The daemon, with this pid, cannot give the run this client's state, for this reason, and a daemon this
        /// client starts could.
        case outgrown(pid: Int32, reason: String)
        /// Nothing began: run the interpreter directly, for this reason.
        case direct(String)
        /// The interpreter cannot be run, for this reason (the daemon's words); a direct run would not help.
        case refused(String)
        /// The run may have begun and its outcome is unknown: it must not be started again.
        case lost(String)
        /// A signal that ends the client came while nothing had begun: the client dies of it.
        case interrupted(Int32)
    }

    /// How long a client that was asked to end waits for a run that may be starting to report its start.
    static let gracePeriod: Duration = .seconds(1)

    func perform() -> Outcome {
        let clientTimeout = Duration.milliseconds(Int(configuration.clientTimeout * 1000))
        var sendError: SocketError?
        do {
            try socket.send(request.value)
        } catch {
            if error.isTimeout { return .direct("the daemon did not take the request within \(clientTimeout)") }
            // A daemon that refuses the request (another build) may answer and close before reading it all.
            sendError = error
        }
        let answered = ContinuousClock.now + clientTimeout
        while true {
            switch wait.next(until: answered) {
            case .message(.ready):
                return start()
            case .message(.versionMismatch(_, let pid)):
                return .otherBuild(pid: Int32(truncatingIfNeeded: pid))
            case .message(.error("interpreter", let text)):
                return .refused(text)
            case .message(.error("outgrown", let text)):
                var uid: uid_t = 0
                var pid: pid_t = 0
                guard jinn_peer_credentials(socket.fd, &uid, &pid) == 0 else {
                    return .direct("the daemon cannot run it (\(text))")
                }
                return .outgrown(pid: pid, reason: text)
            case .message(.error(let code, let text)):
                return .direct("the daemon cannot run it (\(code): \(text))")
            case .message(let other):
                return .direct("unexpected answer \(other)")
            case .closed(let reason):
                return .direct("the daemon did not take the request: \(sendError.map(\.description) ?? reason)")
            case .timedOut:
                return .direct("the daemon did not answer within \(clientTimeout)")
            case .signals(let numbers):
                if let number = numbers.first(where: DaemonWait.isTerminating) { return .interrupted(number) }
            case .status:
                break  // no status pipe is watched before `ready`
            }
        }
    }

    /// From `ready` on: the streams go with the claim; then the run starts, or the claim decides what to do.
    private func start() -> Outcome {
        guard inherited.fitInOneRun else {
            return .direct("\(inherited.count) descriptors are open, more than the \(InheritedDescriptors.capacity) "
                           + "a run of the daemon can be given")
        }
        guard let claim = RunClaim.make() else { return .direct("no pipe for the run's claim") }
        guard let status = StatusPipe.make() else { return .direct("no pipe for the run's status") }
        do {
            try sendDescriptors(claim: claim, status: status)
        } catch {
            return claim.takeBack() ? .direct("the streams could not be sent: \(error)")
                : .lost("the connection failed as the run was handed over: \(error)")
        }
        let bound = configuration.zygoteStartTimeout + configuration.clientTimeout
        var deadline = ContinuousClock.now + .milliseconds(Int(bound * 1000))
        var held: [Int32] = []
        var endingSignal: Int32?
        // A short run can end before the zygote's word of its start has come through the daemon: its status
        // then ends the wait, so the run's end never waits for that word.
        var watch = wait
        watch.statusFD = status.readFD
        while true {
            switch watch.next(until: deadline) {
            case .status:
                let reading = StatusPipe.reading(status.readFD)
                if reading != .ended { return .finished(reading) }
                watch.statusFD = -1  // the run-to-be went without a word: the daemon tells the rest
            case .message(.started(let id, let pid)):
                return .started(runID: id, pid: Int32(truncatingIfNeeded: pid), held: held, statusFD: status.readFD)
            case .message(.note(let text)):
                diagnostics.note(text)
            case .message(.error(let code, let text)):
                if claim.takeBack() || code == "unstarted" { return .direct("the daemon did not run it: \(text)") }
                return adrift(text, watching: watch.statusFD)
            case .message(let other):
                return claim.takeBack() ? .direct("unexpected answer \(other)")
                    : adrift("the daemon answered \(other) before the run's start", watching: watch.statusFD)
            case .closed(let reason):
                return claim.takeBack() ? .direct(reason)
                    : adrift("the daemon went away before the run's start (\(reason))", watching: watch.statusFD)
            case .timedOut:
                if let endingSignal { return .interrupted(endingSignal) }
                if claim.takeBack() { return .direct("the run did not start within \(bound) s") }
                // The daemon holds the claim: the run may be starting. Wait for it, answering signals.
                diagnostics.note("the run is being handed over; waiting for its start")
                deadline = .now + .seconds(86_400 * 365)
            case .signals(let numbers):
                held += numbers
                guard endingSignal == nil, let number = numbers.first(where: DaemonWait.isTerminating) else { break }
                if claim.takeBack() { return .interrupted(number) }
                // The run may be starting: it gets the signal if it starts soon; otherwise the client ends, and the
                // daemon ends the run when it finds the client gone.
                endingSignal = number
                deadline = .now + Self.gracePeriod
            }
        }
    }

    /// What a run whose claim the daemon took comes to when the daemon fails before it told the start: the run may
    /// be running (its zygote tells the start only once it has lasted a moment), so its status pipe, while it is
    /// open (`watching`), has the last word.
    private func adrift(_ reason: String, watching statusFD: Int32) -> Outcome {
        statusFD >= 0 ? .unannounced(statusFD: statusFD, reason: reason) : .lost(reason)
    }

    /// Sends the run its descriptors (see ``RunDescriptors``): the inherited ones at their numbers, the claim, the
    /// status pipe's write end and the working directory. The client's copies of the last two go at once: the
    /// status pipe must read end of file once the run has gone, and the working directory is the run's alone.
    private func sendDescriptors(claim: RunClaim, status: StatusPipe) throws(SocketError) {
        var fds = inherited.numbers.map { substitutes[$0] ?? $0 }
        var numbers = inherited.numbers.map(Int.init)
        fds += [claim.fd, status.writeFD]
        numbers += [RunDescriptors.Role.claim.rawValue, RunDescriptors.Role.status.rawValue]
        // A directory that cannot be opened even for its path is entered by name, as before.
        let directory = jinn_open_working_directory()
        if directory >= 0 {
            fds.append(directory)
            numbers.append(RunDescriptors.Role.workingDirectory.rawValue)
        }
        defer {
            closeDescriptor(status.writeFD)
            if directory >= 0 { closeDescriptor(directory) }
        }
        try socket.send(RunDescriptors.streamsMessage(numbers), passing: fds)
    }
}
