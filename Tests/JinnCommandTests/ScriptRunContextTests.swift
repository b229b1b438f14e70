import CJinn
import Foundation
import Jinn
import JinnDaemonCore
import JinnWire
import Testing

/// What a run receives from its caller: environment, working directory, umask, streams; and many runs at once.
@Suite(.serialized)
struct ScriptRunContextTests {
    @Test func theEnvironmentIsReplacedNotMerged() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("env.py", "import os\nprint(sorted(k for k in os.environ if k.startswith('JT_')), os.environ.get('JT_SHARED'))\n")
        // The first run starts the daemon and its zygote with JT_ONLY_FIRST in their environment.
        let first = try box.jinn(["env.py"], environment: ["JT_ONLY_FIRST": "1", "JT_SHARED": "first"])
        #expect(first.output == "['JT_ONLY_FIRST', 'JT_SHARED'] first\n")
        let second = try box.jinn(["env.py"], environment: ["JT_ONLY_SECOND": "2", "JT_SHARED": "second"])
        #expect(second.output == "['JT_ONLY_SECOND', 'JT_SHARED'] second\n")
        let python = try box.python3(["env.py"], environment: ["JT_ONLY_SECOND": "2", "JT_SHARED": "second"])
        #expect(second == python)
        // Child processes of the run see the same environment.
        let child = try box.jinn(["-c", "import subprocess; subprocess.run(['sh', '-c', 'echo $JT_X'])"],
                                 environment: ["JT_X": "inherited"])
        #expect(child.output == "inherited\n")
        #expect(try box.request(.status)["zygotes"]?.elements?.count == 1)
    }

    @Test func startupVariablesGetAZygoteOfTheirOwn() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let extra = box.root.path + "/extra"
        try FileManager.default.createDirectory(atPath: extra, withIntermediateDirectories: true)
        try "WHERE = 'from PYTHONPATH'\n".write(toFile: extra + "/extra_module.py", atomically: true, encoding: .utf8)
        let code = "import sys, extra_module; print(extra_module.WHERE, sys.flags.dont_write_bytecode)"
        let plain = try box.jinn(["-c", "print('plain')"])
        #expect(plain.output == "plain\n")
        let outcome = try box.jinn(["-c", code], environment: ["PYTHONPATH": extra, "PYTHONDONTWRITEBYTECODE": "1"])
        let python = try box.python3(["-c", code], environment: ["PYTHONPATH": extra, "PYTHONDONTWRITEBYTECODE": "1"])
        #expect(outcome == python)
        #expect(outcome.output == "from PYTHONPATH 1\n")
        #expect(try box.request(.status)["zygotes"]?.elements?.count == 2)
    }

    @Test func theWorkingDirectoryAndUmaskAreTheCallers() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let directory = box.root.path + "/work dir"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let code = "import os; open('made', 'w').close(); print(os.getcwd()); print(oct(os.umask(0)))"
        let jinn = CommandRunner.executable.path
        let outcome = try box.jinnShell("cd '\(directory)' && umask 027 && \(jinn) -c \"\(code)\"")
        #expect(outcome.output == "\(directory)\n0o27\n", "\(outcome)")
        var info = stat()
        #expect(stat(directory + "/made", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o640)
        let other = try box.jinnShell("cd / && umask 077 && \(jinn) -c \"import os; print(os.getcwd(), oct(os.umask(0)))\"")
        #expect(other.output == "/ 0o77\n")
    }

    @Test func standardInputStreamsLineByLine() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let code = "import sys\nfor line in sys.stdin:\n    print(line.strip().upper(), flush=True)\nprint('done')"
        let process = try box.startJinn(["-c", code])
        // Each reply comes before the next line is written: nothing waits for the end of the input.
        for word in ["alpha", "beta", "gamma"] {
            process.write(Data((word + "\n").utf8))
            let seen = process.readOutput(until: word.uppercased() + "\n")
            #expect(seen.contains(word.uppercased()), "\(seen)")
        }
        let outcome = process.wait()
        #expect(outcome.output == "ALPHA\nBETA\nGAMMA\ndone\n")
        #expect(outcome.termination == .exited(0))
    }

    @Test func fiftyRunsAtOnceEachGetTheirOwnData() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("echo_id.py", """
            import sys, hashlib
            data = sys.stdin.buffer.read()
            sys.stdout.write('%s %s %d\\n' % (sys.argv[1], hashlib.sha256(data).hexdigest(), len(data)))
            sys.stderr.write('err %s\\n' % sys.argv[1])
            sys.exit(int(sys.argv[1]) % 7)
            """)
        _ = try box.jinn(["-c", "pass"])  // the daemon and zygote are up before the burst
        let count = 50
        var processes: [(Int, Data, Spawned)] = []
        for index in 0..<count {
            let payload = Data((0..<(1000 + index * 997)).map { UInt8(truncatingIfNeeded: $0 &* (index + 3)) })
            let process = try box.startJinn(["echo_id.py", String(index)])
            processes.append((index, payload, process))
        }
        for (_, payload, process) in processes {
            process.write(payload)
            process.closeInput()
        }
        for (index, payload, process) in processes {
            let outcome = process.wait()
            let digest = try box.python3(["-c", "import sys, hashlib; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())"],
                                         input: payload).output.trimmingCharacters(in: .newlines)
            #expect(outcome.output == "\(index) \(digest) \(payload.count)\n")
            #expect(outcome.errors == "err \(index)\n")
            #expect(outcome.termination == .exited(Int32(index % 7)))
        }
        // A run counts once the daemon has seen its end, which may come after its client has left.
        #expect(try eventually { try box.request(.status)["runs"]?.intValue == count + 1 })
    }

    @Test func aThousandRunsLeaveTheDaemonsDescriptorsAndMemoryFlat() async throws {
        // One zygote throughout: a hash seed rotation (every 1000 runs by default) retires a zygote, and the first
        // retirement's grace-period timer gives the runtime a timer descriptor it keeps.
        let box = try await ScriptRunnerSandbox(configuration: "hash_seed_runs = 1000000\n")
        defer { box.tearDown() }
        func descriptors(_ pid: pid_t) -> Int {
            (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
        }
        func residentKilobytes(_ pid: pid_t) -> Int {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            let line = text.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
        }
        // Warm up through the real client: threads, buffers and caches reach their working size.
        for _ in 0..<50 { _ = try box.jinn(["-c", "pass"]) }
        let pid = try box.daemonPID()
        // Counted once the warm-up clients' connections have closed: the count holds still for 100 ms.
        var descriptorsBefore = descriptors(pid)
        _ = eventually {
            usleep(100_000)
            defer { descriptorsBefore = descriptors(pid) }
            return descriptors(pid) == descriptorsBefore
        }
        let memoryBefore = residentKilobytes(pid)
        // A thousand runs, in four parallel streams, speaking the client's protocol from here: the daemon cannot
        // tell them from the jinn client's, and the suite does not pay a debug client's start a thousand times.
        let identity = try box.daemonIdentity()
        let environment = box.environment.map { Array("\($0.key)=\($0.value)".utf8) }
        let socketPath = box.socketDirectory + "/daemon.sock"
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var failures = 0
                    for _ in 0..<250 {
                        let (reply, output) = try Self.run("import sys; sys.stdout.write('x')", socketPath: socketPath,
                                                           identity: identity, environment: environment)
                        if reply != .exited(0) || output != "x" { failures += 1 }
                    }
                    return failures
                }
            }
            for try await failures in group { #expect(failures == 0) }
        }
        #expect(try box.daemonPID() == pid)
        #expect(try eventually { try box.request(.status)["active"]?.intValue == 0 })
        // A connection's thread closes its socket once it sees the client's end, which may come after the reply.
        var descriptorsAfter = 0
        #expect(eventually {
            descriptorsAfter = descriptors(pid)
            return descriptorsAfter == descriptorsBefore
        }, "descriptors: \(descriptorsBefore) → \(descriptorsAfter)")
        let memoryAfter = residentKilobytes(pid)
        // Flat: a leak of even one kilobyte a run would add a megabyte.
        #expect(memoryAfter - memoryBefore < 1024, "resident memory: \(memoryBefore) kB → \(memoryAfter) kB")
        // A run counts once the daemon has seen its end, which may come after its client has left.
        #expect(try eventually { try box.request(.status)["runs"]?.intValue == 1050 })
    }

    /// One run through the daemon's socket, as the client makes it: returns how it ended and what it printed.
    static func run(_ code: String, socketPath: String, identity: String, environment: [[UInt8]]) throws
        -> (DaemonMessage?, String)
    {
        let socket = try FrameSocket.connect(to: socketPath)
        defer { socket.close() }
        var output: [Int32] = [-1, -1]
        guard jinn_pipe(&output) == 0 else { throw SandboxError("pipe failed") }
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        let request = RunRequest(entry: .code(Array(code.utf8)), arguments: [Array("-c".utf8)],
                                 workingDirectory: Array("/".utf8), environment: environment, umask: 0o022)
        defer { close(output[0]) }
        do {
            defer {
                close(output[1])
                close(null)
            }
            // The handshake: the request, `ready`, then the streams with the run's claim (a pipe holding a byte).
            try socket.send(ClientRequest(kind: .run, identity: identity, body: request.value).value)
            guard let ready = try socket.receive(), try DaemonMessage(ready) == .ready else {
                throw SandboxError("the daemon did not answer ready")
            }
            var claim: [Int32] = [-1, -1]
            guard jinn_pipe(&claim) == 0 else { throw SandboxError("pipe failed") }
            defer { close(claim[0]) }
            var byte: UInt8 = 1
            _ = write(claim[1], &byte, 1)
            close(claim[1])
            try socket.send(RunDescriptors.streamsMessage([0, 1, 2, -1]), passing: [null, output[1], null, claim[0]])
        }
        var reply: DaemonMessage?
        while let value = try socket.receive() {
            let message = try DaemonMessage(value)
            if case .started = message { continue }
            reply = message
            break
        }
        var printed: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = read(output[0], &buffer, buffer.count)
            if count <= 0 { break }
            printed += buffer[0..<count]
        }
        return (reply, String(decoding: printed, as: UTF8.self))
    }
}
