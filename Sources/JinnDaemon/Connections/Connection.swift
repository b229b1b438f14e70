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

/// One client connection, served on a thread of its own: the first message decides what it is (a run or an
/// administrative request). A malformed or foreign message gets an error reply and the connection is dropped;
/// the daemon goes on serving everyone else.
///
/// The connection owns its socket from the moment it is accepted and closes it when its thread ends: for a run,
/// once the client has left (the run ended) or gone away.
struct Connection: Sendable {
    /// The accepted socket.
    let fd: Int32
    /// The daemon's build identity, which a client must share.
    let identity: String
    let runs: RunDispatcher
    let administration: Administration
    let logger: Logger

    /// How long a new connection may take to send its request.
    static let requestTimeout: Int = 10

    /// Serves the connection on a new thread, counted in `activity` while it lasts.
    func start(counting activity: ConnectionActivity) {
        activity.opened()
        let thread = Thread {
            serve()
            activity.closed()
        }
        thread.name = "jinn-connection"
        thread.stackSize = 512 << 10
        thread.start()
    }

    /// Serves the connection on the calling thread, and closes it.
    func serve() {
        let socket = FrameSocket(fd: fd)
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
        setReceiveTimeout(seconds: Self.requestTimeout)
        let request: ClientRequest
        do {
            guard let received = try socket.receive() else { return }  // connected and left: nothing to do
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
        serveRun(socket, request.body, peer: pid)
    }

    private func serveRun(_ socket: FrameSocket, _ body: PythonValue, peer: pid_t) {
        // The run gets its own copies; ours must go as soon as they are sent (or refused), or a reader of the
        // caller's pipe would wait for us: every path below ends them, and the value's end closes what is left.
        var descriptors = socket.takeReceivedDescriptors()
        let request: RunRequest
        do {
            request = try RunRequest(body)
        } catch {
            logger.warning("refused a run from pid \(peer): \(error)")
            reply(socket, .error(code: "protocol", message: error.description))
            return
        }
        guard descriptors.count == 3 else {
            logger.warning("refused a run from pid \(peer): \(descriptors.count) descriptors instead of 3")
            reply(socket, .error(code: "protocol", message: "a run needs its three standard descriptors attached"))
            return
        }
        let session: Session
        do {
            session = try runs.run(request, descriptors: descriptors.rawValues, clientFD: fd)
        } catch {
            descriptors.closeAll()
            logger.error("cannot run \(String(decoding: request.arguments[0], as: UTF8.self)): \(error)")
            reply(socket, .error(code: error.code, message: error.description))
            return
        }
        descriptors.closeAll()
        // The connection stays open until the run ends (the client leaves) or the client goes away.
        setReceiveTimeout(seconds: 0)
        while true {
            do {
                guard try socket.receivePayload() != nil else { break }
            } catch {
                break
            }
        }
        if session.clientClosed() != nil {
            logger.notice("run \(session.id): the client went away; terminating the run")
            session.terminate()
        }
    }

    private func reply(_ socket: FrameSocket, _ message: DaemonMessage) {
        try? socket.send(message.value)
    }

    private func setReceiveTimeout(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
}
