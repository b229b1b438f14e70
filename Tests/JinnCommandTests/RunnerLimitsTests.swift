import CJinn
import Foundation
import Jinn
import JinnDaemonCore
import JinnSystem
import JinnWire
import Testing

/// What a connection may take from the daemon, and runs in an interpreter of their own.
@Suite(.serialized)
struct RunnerLimitsTests {
    @Test func idleTricklingAndOversizedConnectionsAreBounded() async throws {
        let box = try await ScriptRunnerSandbox(configuration: "request_timeout = 2\nmax_connections = 100\n")
        defer { box.tearDown() }
        #expect(try box.jinn(["-c", "print(1)"]).output == "1\n")
        let socketPath = box.socketDirectory + "/daemon.sock"
        // 500 connections that send nothing: the daemon serves 100 and tells the others it is busy.
        var idle: [FrameSocket] = []
        for _ in 0..<500 { idle.append(try FrameSocket.connect(to: socketPath)) }
        defer { for socket in idle { socket.close() } }
        let busy = try box.jinn(["--verbose", "-c", "print('still served')"])
        #expect(busy.output == "still served\n", "\(busy)")
        #expect(busy.errors.contains("busy: the daemon serves 100 connections already (max_connections)"), "\(busy)")
        // The idle ones are dropped at the request's deadline, and the daemon serves runs itself again.
        var answered = 0
        for socket in idle {
            if case .error(let code, _)? = try? socket.receive().map({ try DaemonMessage($0) }) {
                #expect(code == "busy" || code == "protocol")
            }
            answered += 1
        }
        #expect(answered == 500)
        let served = try box.jinn(["--verbose", "-c", "print('by the daemon')"])
        #expect(served.output == "by the daemon\n" && served.errors.contains("jinn: run "), "\(served)")

        // A request that trickles in a byte at a time is cut off at its deadline.
        let trickle = try FrameSocket.connect(to: socketPath)
        defer { trickle.close() }
        var request: [UInt8] = []
        Frame.append(payload: Marshal.encode(ClientRequest(kind: .status, identity: try box.daemonIdentity()).value),
                     to: &request)
        var cutOff = false
        for byte in request.dropLast() {
            do {
                try trickle.sendRaw([byte])
            } catch {
                cutOff = true
                break
            }
            var entry = pollfd(fd: trickle.fd, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, 500) > 0 {
                cutOff = true
                break
            }
        }
        #expect(cutOff)
        #expect(box.log().contains("dropped a connection from pid \(getpid())"))

        // A frame over max_request_size is refused at its header; a client whose request is larger runs directly.
        let oversized = try FrameSocket.connect(to: socketPath)
        defer { oversized.close() }
        try oversized.sendRaw(Frame.header(forPayloadSize: (1 << 20) + 1))
        guard case .error("protocol", let text)? = try oversized.receive().map({ try DaemonMessage($0) }) else {
            Issue.record("no refusal")
            return
        }
        #expect(text.contains("over the limit of 1048576 bytes"))
        let large = String(repeating: "x", count: 100_000)
        var environment: [String: String] = [:]
        for index in 0..<12 { environment["JINN_TEST_LARGE_\(index)"] = large }
        let direct = try box.jinn(["--verbose", "-c", "import os; print(len(os.environ['JINN_TEST_LARGE_0']))"],
                                  environment: environment)
        #expect(direct.output == "100000\n", "\(direct)")
        #expect(direct.errors.contains("the request is larger than max_request_size"), "\(direct)")
    }

    @Test func aRunNamingItsEnvironmentsInterpreterRunsThereInAZygoteOfItsOwn() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let venv = box.root.path + "/venv"
        let made = try box.python3(["-m", "venv", "--without-pip", venv])
        #expect(made.termination == .exited(0), "\(made)")
        #expect(try box.jinn(["-c", "print(1)"]).output == "1\n")
        let code = "import sys; print(sys.prefix)"
        let inVenv = try runRaw(box, code: code, interpreter: venv + "/bin/python")
        #expect(inVenv.messages.last == .exited(0), "\(inVenv.messages)")
        #expect(inVenv.output == venv + "\n")
        let zygotes = try box.request(.status)["zygotes"]?.elements ?? []
        #expect(zygotes.count == 2)
        #expect(zygotes.contains { $0["environment"]?.stringValue?.hasPrefix(venv + "/bin/python") == true })
        // The default environment's runs are not the venv's.
        #expect(try box.jinn(["-c", code]).output != venv + "\n")
        // What is not an absolute path to a Python interpreter is refused before anything starts.
        for bad in ["bin/python", "/bin/sh", venv + "/bin/nothing"] {
            let refused = try runRaw(box, code: code, interpreter: bad)
            guard case .error("interpreter", let text)? = refused.messages.last else {
                Issue.record("\(bad): \(refused.messages)")
                continue
            }
            #expect(text.contains(bad), "\(text)")
        }
    }

    /// A run through the daemon's handshake by hand, with a request naming `interpreter`: its messages and output.
    private func runRaw(_ box: ScriptRunnerSandbox, code: String, interpreter: String) throws
        -> (messages: [DaemonMessage], output: String)
    {
        let socket = try FrameSocket.connect(to: box.socketDirectory + "/daemon.sock")
        defer { socket.close() }
        let request = RunRequest(entry: .code(Array(code.utf8)), arguments: [Array("-c".utf8)],
                                 workingDirectory: Array(box.scripts.path.utf8), environment: [Array("LANG=C.UTF-8".utf8)],
                                 umask: 0o22, interpreter: Array(interpreter.utf8))
        try socket.send(ClientRequest(kind: .run, identity: try box.daemonIdentity(), body: request.value).value)
        var messages: [DaemonMessage] = []
        let deadline = ContinuousClock.now + .seconds(30)
        guard let first = try socket.receive(until: deadline).map({ try DaemonMessage($0) }) else { return ([], "") }
        messages.append(first)
        guard first == .ready else { return (messages, "") }
        var output: [Int32] = [-1, -1], claim: [Int32] = [-1, -1]
        precondition(jinn_pipe(&output) == 0 && jinn_pipe(&claim) == 0)
        var byte: UInt8 = 1
        _ = write(claim[1], &byte, 1)
        let null = open("/dev/null", O_RDWR)
        defer { for fd in [null, output[0], claim[0], claim[1]] { close(fd) } }
        // A daemon that refuses the run answers and closes without reading the streams.
        try? socket.send(RunDescriptors.streamsMessage([0, 1, 2, -1]), passing: [null, output[1], null, claim[0]])
        // Only the run holds the output's write end now, so reading it ends when the run does.
        close(output[1])
        let reader = output[0]
        while let value = try socket.receive(until: deadline) {
            let message = try DaemonMessage(value)
            messages.append(message)
            if case .started = message { continue }
            if case .note = message { continue }
            break
        }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(reader, &chunk, chunk.count)
            guard count > 0 else { break }
            text += chunk.prefix(count)
        }
        return (messages, String(decoding: text, as: UTF8.self))
    }
}
