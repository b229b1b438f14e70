import ArgumentParser
import JinnDaemon
import JinnDaemonCore
import JinnWire

#if canImport(Glibc)
import Glibc
#endif

/// Sends one administrative request to the daemon and returns its answer.
struct AdminClient {
    var configuration: Configuration

    enum Failure: Error, CustomStringConvertible {
        case notRunning
        case otherBuild(identity: String, pid: Int)
        case failed(String)

        var description: String {
            switch self {
            case .notRunning: "no jinn daemon is running"
            case .otherBuild(let identity, let pid): "the daemon (pid \(pid)) is another build: \(identity)"
            case .failed(let message): message
            }
        }
    }

    var socketPath: String { SocketDirectory(unchecked: configuration.socketDirectory).socketPath }

    func request(_ kind: ClientRequest.Kind, body: PythonValue = .none) throws(Failure) -> PythonValue {
        let socket: FrameSocket
        do {
            socket = try FrameSocket.connect(to: socketPath, within: Self.timeout)
        } catch {
            if error.errno == ENOENT || error.errno == ECONNREFUSED { throw .notRunning }
            if error.isTimeout { throw .failed("the daemon did not take the connection within \(Self.timeout)") }
            throw .failed(error.description)
        }
        defer { socket.close() }
        do {
            try socket.send(ClientRequest(kind: kind, identity: BuildIdentity.current(), body: body).value)
            // A daemon that is stopped or wedged must not hang the command.
            guard let value = try socket.receive(until: .now + Self.timeout) else { throw Failure.failed("the daemon closed the connection") }
            switch try DaemonMessage(value) {
            case .reply(let answer): return answer
            case .versionMismatch(let identity, let pid): throw Failure.otherBuild(identity: identity, pid: pid)
            case .error(let code, let message): throw Failure.failed("\(code): \(message)")
            default: throw Failure.failed("unexpected answer from the daemon")
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .failed("\(error)")
        }
    }

    /// How long a command waits for the daemon to take and answer its request.
    static let timeout: Duration = .seconds(10)

    /// Whether a process exists.
    static func isAlive(_ pid: Int) -> Bool {
        kill(pid_t(pid), 0) == 0 || errno == EPERM
    }
}
