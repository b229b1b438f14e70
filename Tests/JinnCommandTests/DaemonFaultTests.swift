import CJinn
import Foundation
import Jinn
import JinnDaemonCore
import JinnWire
import Testing

/// The daemon against bad clients, dying daemons and zygotes, and racing starts.
@Suite(.serialized)
struct DaemonFaultTests {
    @Test func badMessagesAreAnsweredOrDroppedAndTheDaemonKeepsServing() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        #expect(try box.jinn(["-c", "print(1)"]).output == "1\n")
        let pid = try box.daemonPID()
        let socketPath = box.socketDirectory + "/daemon.sock"
        func exchange(_ bytes: [UInt8], passing fds: [Int32] = [], closeAfterSending: Bool = false) throws -> DaemonMessage? {
            let socket = try FrameSocket.connect(to: socketPath)
            defer { socket.close() }
            try socket.sendRaw(bytes, passing: fds)
            if closeAfterSending { return nil }
            guard let value = try socket.receive() else { return nil }
            return try DaemonMessage(value)
        }
        func frame(_ value: PythonValue) -> [UInt8] {
            var bytes: [UInt8] = []
            Frame.append(payload: Marshal.encode(value), to: &bytes)
            return bytes
        }
        // Garbage: a frame whose payload is not marshal.
        let garbage = try exchange(Frame.header(forPayloadSize: 5) + [0xde, 0xad, 0xbe, 0xef, 0x00])
        #expect(garbage.map { if case .error("protocol", _) = $0 { true } else { false } } == true)
        // A marshal value that is not a request.
        let notARequest = try exchange(frame(.list([1, 2, 3])))
        #expect(notARequest.map { if case .error("protocol", _) = $0 { true } else { false } } == true)
        // Oversized: a header announcing more than the limit.
        let oversized = try exchange(Frame.header(forPayloadSize: DaemonProtocol.maximumMessageSize + 1))
        #expect(oversized.map { if case .error("protocol", let text) = $0 { text.contains("over the limit") } else { false } } == true)
        // Another protocol version, and another build.
        let wrongVersion = try exchange(frame(ClientRequest(kind: .status, version: 99, identity: "x").value))
        #expect(wrongVersion == .versionMismatch(identity: try box.daemonIdentity(), pid: Int(pid)))
        // A run request whose client never sends its streams, and one with a malformed body.
        let identity = try box.daemonIdentity()
        let noDescriptors = RunRequest(entry: .code(Array("print(1)".utf8)), arguments: [Array("-c".utf8)],
                                       workingDirectory: Array("/".utf8), environment: [], umask: 0o22)
        let missing = try exchange(frame(ClientRequest(kind: .run, identity: identity, body: noDescriptors.value).value))
        // The request comes alone; its streams would follow `ready`, and a client that leaves instead starts nothing.
        #expect(missing == .ready)
        let malformed = try exchange(frame(ClientRequest(kind: .run, identity: identity, body: ["entry": 1]).value),
                                     passing: [0, 1, 2])
        #expect(malformed.map { if case .error("protocol", _) = $0 { true } else { false } } == true)
        // Truncated: half a frame, then the client vanishes; and clients that connect and vanish at once.
        _ = try exchange(Array(frame(ClientRequest(kind: .status, identity: identity).value).prefix(7)),
                         closeAfterSending: true)
        for _ in 0..<20 { FrameSocket(fd: jinn_unix_connect(socketPath)).close() }
        // Still the same daemon, still serving, with no connection left behind.
        #expect(try box.jinn(["-c", "print(2)"]).output == "2\n")
        #expect(try box.daemonPID() == pid)
        let log = box.log()
        #expect(log.contains("dropped a connection"))
        #expect(log.contains("another build"))
    }

    @Test func aRunOutlivesItsKilledDaemonAndTheDaemonIsReplaced() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let go = box.root.path + "/go"
        let run = try box.startJinn(["-c", """
            import os, time
            print(os.getpid(), flush=True)
            while not os.path.exists(\(go.debugDescription)):
                time.sleep(0.01)
            print('finished')
            """])
        let printed = run.readOutput(until: "\n")
        let runPID = pid_t(printed.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(runPID > 0)
        let daemon = try box.daemonPID()
        kill(daemon, SIGKILL)
        // The run goes on without its daemon and its zygote, and its client ends with its status.
        #expect(eventually { !isRunning(daemon) })
        #expect(isRunning(runPID))
        FileManager.default.createFile(atPath: go, contents: nil)
        let outcome = run.wait()
        #expect(outcome.termination == .exited(0), "\(outcome)")
        #expect(outcome.output == "\(runPID)\nfinished\n", "\(outcome)")
        // The next run starts a new daemon.
        #expect(try box.jinn(["-c", "print('again')"]).output == "again\n")
        #expect(try box.daemonPID() != daemon)
    }

    /// The socket directory (0700) keeps other users out; the daemon checks its peers as well, in case the socket
    /// is reached some other way. Here a process of another user reaches it through a descriptor opened before it
    /// gave up root.
    @Test(.enabled(if: getuid() == 0, "only root can connect as another user"))
    func peersOfAnotherUserAreRefused() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        #expect(try box.jinn(["-c", "print(1)"]).output == "1\n")
        let socketPath = box.socketDirectory + "/daemon.sock"
        chmod(socketPath, 0o777)
        var request: [UInt8] = []
        Frame.append(payload: Marshal.encode(ClientRequest(kind: .status, identity: try box.daemonIdentity()).value),
                     to: &request)
        let stranger = try box.python3(["-c", """
            import os, socket, sys
            path, request = sys.argv[1], bytes.fromhex(sys.argv[2])
            handle = os.open(path, os.O_PATH)
            os.setgroups([]); os.setgid(65534); os.setuid(65534)
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.settimeout(10)
            client.connect('/proc/self/fd/%d' % handle)
            print('uid', os.getuid())
            try:
                client.sendall(request)
                print('answer', len(client.recv(65536)))
            except ConnectionError:
                print('answer', 0)
            """, socketPath, request.map { String(format: "%02x", $0) }.joined()])
        #expect(stranger.output == "uid 65534\nanswer 0\n", "\(stranger)")
        #expect(box.log().contains("refused a connection from uid 65534"))
        // Everyone else is still served.
        #expect(try box.jinn(["-c", "print(2)"]).output == "2\n")
    }

    @Test func racingClientsEndWithOneDaemon() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let runs = try (0..<6).map { index in try box.startJinn(["-c", "print(\(index))"]) }
        for (index, run) in runs.enumerated() {
            let outcome = run.wait()
            #expect(outcome.output == "\(index)\n", "\(outcome)")
        }
        #expect(eventually { box.daemonProcesses().count == 1 }, "\(box.daemonProcesses())")
        #expect(box.daemonProcesses() == [try box.daemonPID()])
        // A run counts once the daemon has seen its end, which may come after its client has left.
        #expect(try eventually { try box.request(.status)["runs"]?.intValue == 6 })
    }

    @Test func aCrashedZygoteIsReplaced() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        #expect(try box.jinn(["-c", "print(1)"]).output == "1\n")
        let zygote = pid_t(try box.request(.status)["zygotes"]?[0]?["pid"]?.intValue ?? 0)
        kill(zygote, SIGKILL)
        #expect(try eventually { try box.request(.status)["zygotes"]?.elements?.isEmpty == true })
        #expect(try box.jinn(["-c", "print(2)"]).output == "2\n")
        let replacement = pid_t(try box.request(.status)["zygotes"]?[0]?["pid"]?.intValue ?? 0)
        #expect(replacement != zygote && replacement > 0)
        #expect(box.log().contains("zygote \(zygote) ended unexpectedly"))
    }

    @Test func sparesKilledFromOutsideAreReplaced() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        #expect(try box.jinn(["-c", "print(1)"]).output == "1\n")
        let zygote = pid_t(try box.request(.status)["zygotes"]?[0]?["pid"]?.intValue ?? 0)
        // The zygote keeps three spares forked ahead (and reaps finished runs, so its children are spares).
        #expect(eventually { Self.children(of: zygote).count == 3 })
        let spares = Self.children(of: zygote)
        for spare in spares { kill(spare, SIGKILL) }
        #expect(eventually { Set(Self.children(of: zygote)).isDisjoint(with: spares) })
        #expect(try box.jinn(["-c", "import sys; print(2, sys.argv)", "a"]).output == "2 ['-c', 'a']\n")
        #expect(eventually { Self.children(of: zygote).count == 3 })
        #expect(try box.request(.status)["zygotes"]?[0]?["pid"]?.intValue == Int(zygote))
    }

    @Test func aRunRightAfterItsSparesAreKilledRunsOnce() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let (script, runs, zygote) = try Self.servedCountingScript(in: box)
        for attempt in 2...6 {
            #expect(eventually { Self.children(of: zygote).count == 3 })
            // Killed from outside while the daemon may still hand them runs: a dying spare can take a send.
            for spare in Self.children(of: zygote) { kill(spare, SIGKILL) }
            let outcome = try box.jinn([script])
            #expect(outcome.termination == .exited(0) && outcome.output == "ran\n", "\(outcome)")
            #expect(runs() == attempt, "\(outcome)")
        }
    }

    @Test func aRunWhoseSparesAreStoppedGoesElsewhereOnce() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let (script, runs, zygote) = try Self.servedCountingScript(in: box)
        #expect(eventually { Self.children(of: zygote).count == 3 })
        // Each spare leads the process group of its run-to-be.
        let stopped = Self.children(of: zygote)
        for spare in stopped { kill(-spare, SIGSTOP) }
        let outcome = try box.jinn([script])
        #expect(outcome.termination == .exited(0) && outcome.output == "ran\n", "\(outcome)")
        #expect(runs() == 2)
        // A spare that did not take its request in time was killed: none of the stopped ones is left.
        #expect(eventually { Set(Self.children(of: zygote)).isDisjoint(with: stopped) })
        for spare in stopped { kill(-spare, SIGCONT) }
    }

    /// A script that counts its runs in a file, run once through the daemon: its path, its count of runs so far, and
    /// the pid of the zygote that served it.
    private static func servedCountingScript(in box: ScriptRunnerSandbox) throws
        -> (path: String, runs: () -> Int, zygote: pid_t)
    {
        let marker = box.root.path + "/runs"
        let script = try box.script("count.py", """
            with open(\(marker.debugDescription), 'a') as f:
                f.write('ran\\n')
            print('ran')
            """)
        #expect(try box.jinn([script]).output == "ran\n")
        let zygote = pid_t(try box.request(.status)["zygotes"]?[0]?["pid"]?.intValue ?? 0)
        let runs = { (try? String(contentsOfFile: marker, encoding: .utf8))?.split(separator: "\n").count ?? 0 }
        return (script, runs, zygote)
    }

    /// The processes whose parent is `pid` (zombies excluded).
    private static func children(of pid: pid_t) -> [pid_t] {
        ProcessStatus.allPIDs.filter { child in
            guard let status = ProcessStatus(child) else { return false }
            return status.parent == pid && status.state != "Z"
        }
    }

    @Test func aDaemonOfAnotherBuildIsReplaced() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        // A stand-in for an old daemon: it answers every request as a daemon of another build would.
        try FileManager.default.createDirectory(atPath: box.socketDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let impostor = try box.script("old_daemon.py", """
            import marshal, os, socket, sys
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.bind(sys.argv[1])
            server.listen(8)
            print('listening', flush=True)
            while True:
                connection, _ = server.accept()
                connection.recv(65536)
                reply = marshal.dumps(('version', 'jinn 0.0.1 protocol 0', os.getpid()))
                connection.sendall(len(reply).to_bytes(4, 'little') + reply)
                connection.close()
            """)
        let old = try Spawned(box.python.executable, [impostor, box.socketDirectory + "/daemon.sock"],
                              environment: box.environment, directory: box.scripts.path)
        _ = old.readOutput(until: "listening")
        let outcome = try box.jinn(["--verbose", "-c", "print('served by the new daemon')"])
        #expect(outcome.output == "served by the new daemon\n")
        #expect(outcome.errors.contains("replacing the daemon \(old.pid) of another build"), "\(outcome)")
        // The client sent the stand-in SIGTERM; whatever happened, the test never waits on it unboundedly.
        let replaced = eventually { !isRunning(old.pid) }
        if !replaced { kill(old.pid, SIGKILL) }
        #expect(replaced)
        #expect(old.wait().termination == .signaled(SIGTERM))
        // A run counts once the daemon has seen its end, which may come after its client has left.
        #expect(try eventually { try box.request(.status)["runs"]?.intValue == 1 })
    }

    @Test func theDaemonExitsWhenIdle() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.writeConfiguration("idle_timeout = 1\n")
        #expect(try box.jinn(["-c", "print(1)"]).output == "1\n")
        let pid = try box.daemonPID()
        #expect(eventually(within: 15) { !isRunning(pid) })
        #expect(box.log().contains("idle for 1 s"))
        #expect(!FileManager.default.fileExists(atPath: box.socketDirectory + "/daemon.sock"))
    }
}
