import CJinn
import Foundation
import JinnDaemonCore
import JinnWire
import Logging
import JinnSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One client connection, served on the thread that accepted it (``Acceptors``): the first message decides what it is (a run or an
/// administrative request). A malformed or foreign message gets an error reply and the connection is dropped;
/// the daemon goes on serving everyone else.
///
/// A connection is bounded: its request must arrive whole within `request_timeout` and fit in `max_request_size`,
/// and marshal back-references are refused (a few bytes could stand for a huge value). A run follows the
/// handshake of `DaemonProtocol`: the request, `ready`, the streams with the claim, the start.
///
/// The connection owns its socket from the moment it is accepted and closes it when its thread ends: for a run,
/// once the client has left (the run ended) or gone away.
struct Connection: Sendable {
    /// The accepted socket.
    let fd: Int32
    /// The daemon's build identity, which a client must share.
    let identity: String
    /// The limits in effect when the connection was accepted.
    let limits: Configuration
    let runs: RunDispatcher
    let administration: Administration
    let logger: Logger

    /// Serves the connection on the calling thread, and closes it.
    func serve() {
        let socket = FrameSocket(fd: fd, maximumSize: limits.maximumRequestSize)
        defer { socket.close() }
        var uid: uid_t = 0
        var pid: pid_t = 0
        guard jinn_peer_credentials(fd, &uid, &pid) == 0 else {
            logger.warning("dropped a connection whose peer cannot be identified")
            return
        }
        guard uid == getuid() else {
            logger.warning("refused a connection from uid \(uid) (pid \(pid)): only uid \(getuid()) is served")
            return
        }
        // Replies must not wait on a client that does not read them.
        setSendTimeout(seconds: limits.requestTimeout)
        let deadline = ContinuousClock.now + .milliseconds(Int(limits.requestTimeout * 1000))
        let request: ClientRequest
        do {
            guard let received = try socket.receive(until: deadline, allowingReferences: false) else { return }
            request = try ClientRequest(received)
        } catch {
            logger.warning("dropped a connection from pid \(pid): \(error)")
            reply(socket, .error(code: "protocol", message: "\(error)"))
            return
        }
        guard request.version == DaemonProtocol.version, request.identity == identity else {
            logger.notice(
                "a client of another build (\(request.identity), protocol \(request.version)) connected from pid \(pid)")
            reply(socket, .versionMismatch(identity: identity, pid: Int(getpid())))
            return
        }
        guard request.kind == .run else {
            reply(socket, administration.answer(request))
            if request.kind == .stop { administration.stopDaemon() }
            return
        }
        serveRun(socket, request.body, peer: pid, deadline: deadline)
    }

    private func serveRun(_ socket: FrameSocket, _ body: PythonValue, peer: pid_t,
                          deadline: ContinuousClock.Instant)
    {
        var request: RunRequest
        do {
            request = try RunRequest(body)
        } catch {
            logger.warning("refused a run from pid \(peer): \(error)")
            reply(socket, .error(code: "protocol", message: error.description))
            return
        }
        if let state = request.processState, let reason = ProcessStateGrant.refusal(of: state, by: Self.ownState,
                                                                                      privileges: Self.ownPrivileges)
        {
            // Before anything is claimed. A caller that could start a daemon granting all this one grants and more
            // replaces it (`outgrown`); any other runs the interpreter itself, with the state it has.
            let widens = ProcessStateGrant.widens(Self.ownState, to: state)
            logger.notice("run from pid \(peer) left to its client\(widens ? " to start a new daemon" : ""): \(reason)")
            reply(socket, .error(code: widens ? "outgrown" : "direct", message: reason))
            return
        }
        // The client sends its streams while the zygote is found.
        reply(socket, .ready)
        let zygote: Zygote
        do {
            zygote = try runs.zygote(for: request)
        } catch {
            logger.error("cannot run \(String(decoding: request.arguments[0], as: UTF8.self)): \(error)")
            reply(socket, .error(code: error.code, message: error.description))
            return
        }
        // The run gets its own copies of the streams; ours must go as soon as they are sent (or refused), or a
        // reader of the caller's pipe would wait for us: every path below ends them, and the value's end closes
        // what is left.
        let streams: PythonValue?
        do {
            streams = try socket.receive(until: deadline, allowingReferences: false)
        } catch {
            logger.warning("refused a run from pid \(peer): its streams did not come: \(error)")
            reply(socket, .error(code: "protocol", message: "\(error)"))
            return
        }
        var descriptors = socket.takeReceivedDescriptors()
        guard let numbers = RunDescriptors.numbers(inStreams: streams) else {
            logger.warning("refused a run from pid \(peer): its request was not followed by its streams")
            reply(socket, .error(code: "protocol", message: Self.malformedStreams))
            return
        }
        guard descriptors.count == numbers.count else {
            logger.warning("refused a run from pid \(peer): \(descriptors.count) descriptors for \(numbers.count) numbers")
            reply(socket, .error(code: "protocol",
                                 message: "a run's streams must carry one descriptor for each of their numbers"))
            return
        }
        if let top = numbers.max(), let reason = ProcessStateGrant.refusal(ofDescriptor: top, by: Self.ownState,
                                                                          privileges: Self.ownPrivileges)
        {
            // The claim is still the client's: it runs the interpreter itself.
            logger.notice("run from pid \(peer) left to its client: \(reason)")
            reply(socket, .error(code: "direct", message: reason))
            return
        }
        for note in runs.notes(for: zygote) { reply(socket, .note(note)) }
        let (claimFD, forwarded) = Self.split(descriptors.rawValues, numbers: numbers)
        request.descriptorNumbers = forwarded.map(\.number)
        let session = Session(id: Session.makeID(), request: request, clientFD: fd)
        do {
            try runs.start(session, request: request, on: zygote, descriptors: forwarded.map(\.fd),
                           claim: ClientClaim(claimFD: claimFD, clientFD: fd).take)
        } catch {
            descriptors.closeAll()
            if case .clientGone = error {
                logger.notice("run from pid \(peer) not started: its client gave it up")
                return
            }
            logger.error("cannot run \(String(decoding: request.arguments[0], as: UTF8.self)): \(error)")
            reply(socket, .error(code: error.code, message: error.description))
            return
        }
        descriptors.closeAll()
        // The connection stays open until the run ends (the client leaves) or the client goes away.
        var clientSawEnd = false
        while true {
            do {
                guard let payload = try socket.receivePayload() else { break }
                if (try? Marshal.decode(payload)) == RunDescriptors.endedMessage { clientSawEnd = true }
            } catch {
                break
            }
        }
        // A client that read the run's status on its pipe may leave before the zygote reports the end.
        if session.clientClosed() != nil && !clientSawEnd {
            logger.notice("run \(session.id): the client went away; terminating the run")
            session.terminate()
        }
    }

    /// The daemon's limits and niceness, which its zygotes inherit: what a run can be given.
    static let ownState = ProcessState.current()
    static let ownPrivileges = ProcessStateGrant.Privileges.current()

    /// What a client that sends anything but a well-formed `streams` message is told.
    static let malformedStreams = "a run's request must be followed by its streams: a list of descriptor numbers, "
        + "one claim among them (RunDescriptors)"

    /// The claim, which the daemon keeps, and the descriptors that go on to the zygote, each with its number.
    private static func split(_ fds: [Int32], numbers: [Int]) -> (claim: Int32, forwarded: [(number: Int, fd: Int32)]) {
        var claim: Int32 = -1
        var forwarded: [(number: Int, fd: Int32)] = []
        forwarded.reserveCapacity(fds.count)
        for (number, fd) in zip(numbers, fds) {
            if number == RunDescriptors.Role.claim.rawValue { claim = fd } else { forwarded.append((number, fd)) }
        }
        return (claim, forwarded)
    }

    private func reply(_ socket: FrameSocket, _ message: DaemonMessage) {
        try? socket.send(message.value)
    }

    private func setSendTimeout(seconds: Double) {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(seconds.truncatingRemainder(dividingBy: 1) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
}
