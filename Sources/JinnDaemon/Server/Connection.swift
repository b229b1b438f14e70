import CJinn
import Foundation
import JinnDaemonCore
import JinnWire

#if canImport(Glibc)
import Glibc
#endif

/// One client connection, served on a thread of its own: the first message decides what it is (a run or an
/// administrative request). A malformed or foreign message gets an error reply and the connection is dropped;
/// the daemon goes on serving everyone else.
struct Connection: Sendable {
    let daemon: Daemon
    let fd: Int32

    /// How long a new connection may take to send its request.
    static let requestTimeout: Int = 10

    func serve() {
        let socket = FrameSocket(fd: fd)
        defer { socket.close() }
        var uid: uid_t = 0
        var pid: pid_t = 0
        guard jinn_peer_credentials(fd, &uid, &pid) == 0 else {
            daemon.logger.warning("dropped a connection whose peer cannot be identified")
            return
        }
        guard uid == getuid() else {
            daemon.logger.warning("refused a connection from uid \(uid) (pid \(pid)): only uid \(getuid()) is served")
            return
        }
        setReceiveTimeout(seconds: Self.requestTimeout)
        let value: PythonValue
        do {
            guard let received = try socket.receive() else { return }  // connected and left: nothing to do
            value = received
        } catch {
            daemon.logger.warning("dropped a connection from pid \(pid): \(error)")
            reply(socket, .error(code: "protocol", message: error.description))
            return
        }
        let request: ClientRequest
        do {
            request = try ClientRequest(value)
        } catch {
            daemon.logger.warning("dropped a connection from pid \(pid): \(error)")
            reply(socket, .error(code: "protocol", message: error.description))
            return
        }
        guard request.version == DaemonProtocol.version, request.identity == daemon.identity else {
            daemon.logger.notice(
                "a client of another build (\(request.identity), protocol \(request.version)) connected from pid \(pid)")
            reply(socket, .versionMismatch(identity: daemon.identity, pid: Int(getpid())))
            return
        }
        switch request.kind {
        case .run:
            serveRun(socket, request.body, peer: pid)
        case .status:
            reply(socket, .reply(daemon.status))
        case .sessions:
            reply(socket, .reply(.list(daemon.sessions.map(\.listing))))
        case .kill:
            guard let selector = request.body[0]?.stringValue, let number = request.body[1]?.intValue,
                (1...64).contains(number)
            else {
                reply(socket, .error(code: "protocol", message: "kill needs (selector, signal number)"))
                return
            }
            let killed = daemon.kill(selector: selector, signal: Int32(number))
            reply(socket, .reply(.list(killed.map { .string($0.id) })))
        case .stop:
            reply(socket, .reply(.dict([.init("pid", .int(Int(getpid())))])))
            daemon.requestStop()
        }
    }

    private func serveRun(_ socket: FrameSocket, _ body: PythonValue, peer: pid_t) {
        let descriptors = socket.takeDescriptors()
        // The run gets its own copies; ours must go at once, or a reader of the caller's pipe would wait for us.
        var closed = false
        func closeDescriptors() {
            guard !closed else { return }
            closed = true
            for descriptor in descriptors { _ = SystemCalls.close(descriptor) }
        }
        defer { closeDescriptors() }
        let request: RunRequest
        do {
            request = try RunRequest(body)
        } catch {
            daemon.logger.warning("refused a run from pid \(peer): \(error)")
            reply(socket, .error(code: "protocol", message: error.description))
            return
        }
        guard descriptors.count == 3 else {
            daemon.logger.warning("refused a run from pid \(peer): \(descriptors.count) descriptors instead of 3")
            reply(socket, .error(code: "protocol", message: "a run needs its three standard descriptors attached"))
            return
        }
        let session: Session
        do {
            session = try daemon.run(request, descriptors: descriptors, clientFD: fd)
        } catch {
            closeDescriptors()
            daemon.logger.error("cannot run \(String(decoding: request.arguments[0], as: UTF8.self)): \(error)")
            reply(socket, .error(code: error.code, message: error.description))
            return
        }
        closeDescriptors()
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
            daemon.logger.notice("run \(session.id): the client went away; terminating the run")
            Daemon.terminate(session)
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
