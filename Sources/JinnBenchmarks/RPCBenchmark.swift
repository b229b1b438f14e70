import Foundation
import Jinn
import JinnWire

/// Calls from Swift into Python and REPL executions, side by side with the same exchanges between two Python
/// processes over a pair of pipes (marshal frames, the cheapest protocol Python can speak), measured in the same run.
enum RPCBenchmark {
    static let module = PythonModule(name: "bench", source: """
        def add(a, b):
            return a + b

        def echo(value):
            return value
        """)

    static func run() async throws {
        let python = try await PythonInterpreter.system()
        let environment = ProcessInfo.processInfo.environment
        let rounds = Int(environment["JINN_BENCH_ROUNDS"] ?? "") ?? 5
        let calls = Int(environment["JINN_BENCH_CALLS"] ?? "") ?? 2000
        var program = PythonProgram.server()
        try program.add(module)
        var options = LaunchOptions()
        options.standardOutput = .null
        options.standardError = .null
        let process = try await PythonProcess.start(program, interpreter: python, options: options)
        // The same process without busy polling: every wait for the other side sleeps.
        var sleeping = options
        sleeping.busyPolling = .zero
        let sleeper = try await PythonProcess.start(program, interpreter: python, options: sleeping)
        let session = REPLSession(process: process)
        let payload = Data(repeating: 7, count: 1 << 20)

        var jinnAdd = Samples(), jinnEcho = Samples(), jinnREPL = Samples(), jinnThroughput: [Double] = []
        var preferredAdd = Samples(), preferredREPL = Samples(), preferredThroughput: [Double] = []
        var jinnCPU = Samples(), sleeperAdd = Samples(), sleeperPreferredAdd = Samples()
        var pipeAdd = Samples(), pipeEcho = Samples(), pipeREPL = Samples(), pipeThroughput: [Double] = []
        // One warm-up round fills caches, starts the threads and compiles the code paths on both sides.
        for round in 0...rounds {
            var add = Samples(), echo = Samples(), repl = Samples(), onExecutor = Samples(), replOnExecutor = Samples()
            // Each kind of exchange is warmed up first, as the baseline script does.
            for _ in 0..<200 { _ = try await process.call("bench.add", 1, 2, as: Int.self) }
            for _ in 0..<calls {
                add.add(try await measure { _ = try await process.call("bench.add", 1, 2, as: Int.self) })
            }
            for _ in 0..<max(20, calls / 50) {
                echo.add(try await measure { _ = try await process.call("bench.echo", payload, as: Data.self) })
            }
            for _ in 0..<200 { _ = try await session.execute("1+1") }
            for _ in 0..<calls {
                repl.add(try await measure { _ = try await session.execute("1+1") })
            }
            let throughput = try await callsPerSecond(process, total: calls * 10, inFlight: 64)
            // The same exchanges from a task that prefers the process's executor (no thread switch per reply).
            let preferred = try await withTaskExecutorPreference(process.executor) {
                for _ in 0..<200 { _ = try await process.call("bench.add", 1, 2, as: Int.self) }
                for _ in 0..<calls {
                    onExecutor.add(try await measure { _ = try await process.call("bench.add", 1, 2, as: Int.self) })
                }
                for _ in 0..<calls {
                    replOnExecutor.add(try await measure { _ = try await session.execute("1+1") })
                }
                return try await callsPerSecond(process, total: calls * 10, inFlight: 64)
            }
            var unpolled = Samples(), unpolledOnExecutor = Samples()
            for _ in 0..<200 { _ = try await sleeper.call("bench.add", 1, 2, as: Int.self) }
            for _ in 0..<calls {
                unpolled.add(try await measure { _ = try await sleeper.call("bench.add", 1, 2, as: Int.self) })
            }
            try await withTaskExecutorPreference(sleeper.executor) {
                for _ in 0..<calls {
                    unpolledOnExecutor.add(try await measure {
                        _ = try await sleeper.call("bench.add", 1, 2, as: Int.self)
                    })
                }
            }
            let baseline = try await pipeBaseline(python, calls: calls)
            guard round > 0 else { continue }
            jinnAdd.add(add.median)
            sleeperAdd.add(unpolled.median)
            sleeperPreferredAdd.add(unpolledOnExecutor.median)
            preferredAdd.add(onExecutor.median)
            preferredREPL.add(replOnExecutor.median)
            preferredThroughput.append(preferred.rate)
            jinnEcho.add(echo.median)
            jinnREPL.add(repl.median)
            jinnThroughput.append(throughput.rate)
            jinnCPU.add(throughput.cpuPerCall)
            pipeAdd.add(baseline.add)
            pipeEcho.add(baseline.echo)
            pipeREPL.add(baseline.eval)
            pipeThroughput.append(baseline.throughput)
        }
        await process.shutdown()
        await sleeper.shutdown()

        let jinnRate = jinnThroughput.sorted()[jinnThroughput.count / 2]
        let preferredRate = preferredThroughput.sorted()[preferredThroughput.count / 2]
        let pipeRate = pipeThroughput.sorted()[pipeThroughput.count / 2]
        let megabyte = Double(payload.count)
        printTable([
            ["", "jinn", "python↔python pipe", "ratio", "target"],
            ["add(1, 2) round trip, p50", formatDuration(jinnAdd.median), formatDuration(pipeAdd.median),
             formatRatio(jinnAdd.median, pipeAdd.median), "≤ 25 µs"],
            ["  on the process's executor", formatDuration(preferredAdd.median), "",
             formatRatio(preferredAdd.median, pipeAdd.median), "≤ 25 µs"],
            ["  without busy polling", formatDuration(sleeperAdd.median), "",
             formatRatio(sleeperAdd.median, pipeAdd.median), ""],
            ["  without busy polling, on the executor", formatDuration(sleeperPreferredAdd.median), "",
             formatRatio(sleeperPreferredAdd.median, pipeAdd.median), ""],
            ["calls/s, 64 in flight", String(format: "%.0f", jinnRate), String(format: "%.0f", pipeRate),
             formatRatio(jinnRate, pipeRate), "≥ 50000"],
            ["  on the process's executor", String(format: "%.0f", preferredRate), "",
             formatRatio(preferredRate, pipeRate), "≥ 50000"],
            ["  Swift-side CPU per call", formatDuration(jinnCPU.median), "", "", ""],
            ["1 MiB bytes echo, p50", formatDuration(jinnEcho.median), formatDuration(pipeEcho.median),
             formatRatio(jinnEcho.median, pipeEcho.median), ""],
            ["  effective (1 MiB / round trip)", String(format: "%.2f GB/s", megabyte / jinnEcho.median / 1e9),
             String(format: "%.2f GB/s", megabyte / pipeEcho.median / 1e9), "", "≥ 1 GB/s"],
            ["REPL 1+1, p50 (pipe: eval + repr)", formatDuration(jinnREPL.median), formatDuration(pipeREPL.median),
             formatRatio(jinnREPL.median, pipeREPL.median), "≤ 60 µs"],
            ["  on the process's executor", formatDuration(preferredREPL.median), "",
             formatRatio(preferredREPL.median, pipeREPL.median), "≤ 60 µs"],
        ])
        print("interpreter: \(python.executable) (\(python.version)); \(rounds) rounds of \(calls) calls; "
              + "figures are the median of the rounds' p50s")
    }

    /// Calls per second with `inFlight` tasks calling at once, and the CPU time this process spent per call.
    private static func callsPerSecond(_ process: PythonProcess, total: Int, inFlight: Int) async throws
        -> (rate: Double, cpuPerCall: Double)
    {
        let each = total / inFlight
        let cpuBefore = cpuTime()
        let elapsed = try await measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<inFlight {
                    group.addTask {
                        for _ in 0..<each { _ = try await process.call("bench.add", 1, 2, as: Int.self) }
                    }
                }
                try await group.waitForAll()
            }
        }
        return (Double(each * inFlight) / elapsed, (cpuTime() - cpuBefore) / Double(each * inFlight))
    }

    /// User and system time of this process, in seconds.
    private static func cpuTime() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private struct Baseline: Decodable {
        var add: Double
        var echo: Double
        var eval: Double
        var throughput: Double
    }

    /// The same exchanges between a Python parent and a forked Python child.
    private static func pipeBaseline(_ python: PythonInterpreter, calls: Int) async throws -> Baseline {
        let (termination, output, errors) = try await runCapturing(python.executable,
                                                                   ["-c", baselineScript, String(calls)])
        guard termination.isSuccess else {
            throw JinnError.processFailed(termination).withDetails(String(decoding: errors, as: UTF8.self))
        }
        return try JSONDecoder().decode(Baseline.self, from: Data(output))
    }

    private static let baselineScript = """
        import json, marshal, os, sys, time

        def channel(reading, writing):
            buffer = bytearray(1 << 18)
            view = memoryview(buffer)
            start = end = 0
            def receive():
                nonlocal start, end
                while True:
                    if end - start >= 4:
                        size = int.from_bytes(buffer[start:start + 4], "little")
                        if end - start >= 4 + size:
                            message = marshal.loads(view[start + 4:start + 4 + size])
                            start += 4 + size
                            return message
                        if 4 + size > len(buffer):
                            payload = bytearray(size)
                            have = end - start - 4
                            payload[:have] = view[start + 4:end]
                            start = end = 0
                            target = memoryview(payload)
                            while have < size:
                                have += os.readv(reading, [target[have:]])
                            return marshal.loads(payload)
                    if start == end:
                        start = end = 0
                    elif end == len(buffer):
                        buffer[:end - start] = buffer[start:end]
                        end -= start
                        start = 0
                    count = os.readv(reading, [view[end:]])
                    if not count:
                        return None
                    end += count
            def send(message):
                payload = marshal.dumps(message)
                data = memoryview(len(payload).to_bytes(4, "little") + payload)
                while data:
                    data = data[os.write(writing, data):]
            return receive, send

        calls = int(sys.argv[1])
        to_child, to_parent = os.pipe(), os.pipe()
        if os.fork() == 0:
            os.close(to_child[1])
            os.close(to_parent[0])
            receive, send = channel(to_child[0], to_parent[1])
            while True:
                message = receive()
                if message is None:
                    os._exit(0)
                kind, ident, value = message
                if kind == "add":
                    result = value[0] + value[1]
                elif kind == "eval":
                    result = repr(eval(compile(value, "<input>", "eval")))
                else:
                    result = value
                send(("result", ident, result))
        os.close(to_child[0])
        os.close(to_parent[1])
        receive, send = channel(to_parent[0], to_child[1])

        def p50(kind, value, count):
            samples = []
            for ident in range(count):
                started = time.perf_counter()
                send((kind, ident, value))
                receive()
                samples.append(time.perf_counter() - started)
            samples.sort()
            return samples[len(samples) // 2]

        for kind, value in (("add", (1, 2)), ("eval", "1+1")):
            p50(kind, value, 200)
        add = p50("add", (1, 2), calls)
        evaluation = p50("eval", "1+1", calls)
        echo = p50("echo", b"\\x07" * (1 << 20), max(20, calls // 50))
        total = calls * 10
        started = time.perf_counter()
        for ident in range(64):
            send(("add", ident, (1, 2)))
        for ident in range(64, total + 64):
            receive()
            if ident < total:
                send(("add", ident, (1, 2)))
        throughput = total / (time.perf_counter() - started)
        print(json.dumps({"add": add, "echo": echo, "eval": evaluation, "throughput": throughput}))
        """
}

extension JinnError {
    /// The error with the other side's own words attached, for the benchmark's failures.
    func withDetails(_ details: String) -> any Error {
        struct Detailed: Error, CustomStringConvertible { var description: String }
        return Detailed(description: "\(self): \(details)")
    }
}
