import Foundation
import Jinn

/// `jinn SCRIPT` through the warm daemon against `python3 SCRIPT` (the real interpreter, not a shell shim), side
/// by side and interleaved so that every contender sees the same machine load.
///
/// Two daemons run in private socket directories: one with nothing preloaded (hello, empty script, throughput)
/// and one that preloads numpy and scipy.linalg (the scientific script), and a third with an empty configuration
/// file that serves a numpy script after three runs, once it has learned to preload numpy. Build with
/// `swift build -c release --static-swift-stdlib` so that the client starts as it would when installed.
enum ScriptsBenchmark {
    static func run() async throws {
        let python = try await PythonInterpreter.system()
        let rounds = Int(ProcessInfo.processInfo.environment["JINN_BENCH_ROUNDS"] ?? "") ?? 25
        guard let jinn = builtJinnBesideBenchmark() else { return }
        let root = URL(fileURLWithPath: "/tmp/jinn-bench-\(getpid())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let hello = root.appending(path: "hello.py").path
        let empty = root.appending(path: "empty.py").path
        let scientific = root.appending(path: "scientific.py").path
        let numpyScript = root.appending(path: "numpy_script.py").path
        try "import numpy as np\nprint(int(np.arange(10).sum()))\n".write(toFile: numpyScript, atomically: true,
                                                                         encoding: .utf8)
        try "print('hello')\n".write(toFile: hello, atomically: true, encoding: .utf8)
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        try """
            import numpy as np
            import scipy.linalg
            a = np.random.default_rng(1).random((40, 40))
            print(round(float(scipy.linalg.det(a @ a.T)), 3) > 0)
            """.write(toFile: scientific, atomically: true, encoding: .utf8)

        var environment = ProcessInfo.processInfo.environment
        let pythonDirectory = URL(fileURLWithPath: python.executable).deletingLastPathComponent().path
        environment["PATH"] = pythonDirectory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        func sandbox(_ name: String, preload: [String]?) throws -> [String: String] {
            let configuration = root.appending(path: "\(name).toml").path
            let modules = preload.map { "idle_timeout = 120\npreload = [\($0.map { "\"\($0)\"" }.joined(separator: ", "))]\n" }
            try (modules ?? "").write(toFile: configuration, atomically: true, encoding: .utf8)
            var result = environment
            result["JINN_SOCKET_DIR"] = root.appending(path: name).path
            result["JINN_CONFIG"] = configuration
            return result
        }
        let plainDaemon = try sandbox("plain", preload: [])
        let scientificDaemon = try sandbox("sci", preload: ["numpy", "scipy.linalg"])
        let learningDaemon = try sandbox("learn", preload: nil)  // an empty file: nothing configured
        defer {
            for daemon in [plainDaemon, scientificDaemon, learningDaemon] {
                runQuietly(jinn, ["daemon", "stop"], environment: daemon)
            }
        }

        func timed(_ executable: String, _ arguments: [String], _ environment: [String: String]) async throws -> Double {
            let run = try timeCommand(executable, arguments, environment: environment, in: root.path)
            guard run.succeeded else {
                throw JinnError.protocolViolation("\(executable) \(arguments) (wait status \(run.status)): "
                                                  + String(decoding: run.errors, as: UTF8.self))
            }
            return run.seconds
        }

        var jinnHello = Samples(), pythonHello = Samples(), jinnScientific = Samples(), pythonScientific = Samples()
        var jinnEmpty = Samples(), noop = Samples(), jinnLearned = Samples(), pythonNumpy = Samples()
        // Three runs teach the daemon to preload numpy; its successor zygote takes over off the runs' path.
        for _ in 0..<3 { _ = try await timed(jinn, [numpyScript], learningDaemon) }
        try await waitForLearnedPreload("numpy", jinn: jinn, environment: learningDaemon)
        let scientificRounds = max(3, rounds / 3)
        for round in 0..<(rounds + 2) {
            let a = try await timed(jinn, [hello], plainDaemon)
            let b = try await timed(python.executable, [hello], environment)
            let c = try await timed(jinn, [empty], plainDaemon)
            let d = try await timed("/bin/true", [], environment)
            var e = 0.0, f = 0.0
            if round < scientificRounds + 2 {
                e = try await timed(jinn, [scientific], scientificDaemon)
                f = try await timed(python.executable, [scientific], environment)
            }
            let g = round < scientificRounds + 2 ? try await timed(jinn, [numpyScript], learningDaemon) : 0
            let h = round < scientificRounds + 2 ? try await timed(python.executable, [numpyScript], environment) : 0
            guard round >= 2 else { continue }  // warm-up: daemons, zygotes and page cache
            jinnHello.add(a)
            pythonHello.add(b)
            jinnEmpty.add(c)
            noop.add(d)
            if round < scientificRounds + 2 {
                jinnScientific.add(e)
                pythonScientific.add(f)
                jinnLearned.add(g)
                pythonNumpy.add(h)
            }
        }

        // Throughput: four clients in parallel, each running the empty script back to back.
        let perClient = max(25, rounds * 2)
        func throughput(_ executable: String, _ arguments: [String], _ environment: [String: String]) async throws
            -> Double
        {
            let seconds = try await measure {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            for _ in 0..<perClient { _ = try await runCapturing(executable, arguments, environment: environment) }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            return Double(4 * perClient) / seconds
        }
        let jinnRate = try await throughput(jinn, [empty], plainDaemon)
        let pythonRate = try await throughput(python.executable, [empty], environment)

        func ratio(_ a: Samples, _ b: Samples) -> String { String(format: "%.3f×", a.median / b.median) }
        printTable([
            ["", "p50", "p90", "ratio", "target"],
            ["jinn hello.py", formatDuration(jinnHello.median), formatDuration(jinnHello.percentile(0.9)),
             ratio(jinnHello, pythonHello), "≤ 0.15×"],
            ["python3 hello.py (baseline)", formatDuration(pythonHello.median),
             formatDuration(pythonHello.percentile(0.9)), "1.000×", ""],
            ["jinn numpy+scipy.linalg (preloaded)", formatDuration(jinnScientific.median),
             formatDuration(jinnScientific.percentile(0.9)), ratio(jinnScientific, pythonScientific), "≤ 0.02×"],
            ["python3 numpy+scipy.linalg (baseline)", formatDuration(pythonScientific.median),
             formatDuration(pythonScientific.percentile(0.9)), "1.000×", ""],
            ["jinn numpy script, learned after 3 runs", formatDuration(jinnLearned.median),
             formatDuration(jinnLearned.percentile(0.9)), ratio(jinnLearned, pythonNumpy), "≤ 0.03×"],
            ["python3 numpy script (baseline)", formatDuration(pythonNumpy.median),
             formatDuration(pythonNumpy.percentile(0.9)), "1.000×", ""],
            ["jinn empty.py (client's own cost)", formatDuration(jinnEmpty.median),
             formatDuration(jinnEmpty.percentile(0.9)), ratio(jinnEmpty, noop), "vs no-op"],
            ["/bin/true (no-op process start)", formatDuration(noop.median), formatDuration(noop.percentile(0.9)),
             "1.000×", ""],
        ])
        print(String(format: "throughput, 4 parallel clients: jinn %.0f runs/s, python3 %.0f runs/s (%.1f×)",
                     jinnRate, pythonRate, jinnRate / pythonRate))
        print("interpreter: \(python.executable) (\(python.version)); \(rounds) rounds "
              + "(\(scientificRounds) for the scientific script); client: \(jinn)")
    }

    /// Waits (at most a minute) until the daemon's current zygote preloads `module` because it learned it.
    private static func waitForLearnedPreload(_ module: String, jinn: String, environment: [String: String])
        async throws
    {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let (_, output, _) = try await runCapturing(jinn, ["daemon", "status"], environment: environment)
            if String(decoding: output, as: UTF8.self).contains("\(module) (learned:") { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw JinnError.protocolViolation("the daemon did not learn to preload \(module) within a minute")
    }
}
