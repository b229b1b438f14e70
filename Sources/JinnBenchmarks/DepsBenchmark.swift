import Foundation
import Jinn

/// A script whose PEP 723 block asks for six: the first and the second `jinn` run against the first and the second
/// `uv run` of the same script, with uv from Jinn's cache (the version Jinn pins) and the installers' caches warm.
///
/// Each round's first `jinn` run uses a Jinn cache of its own (so it makes the environment), and each round's
/// first `uv run` follows the removal of uv's cached script environments (its downloads stay). Both installers
/// share one uv cache, warmed before the first round.
enum DepsBenchmark {
    static func run() async throws {
        let python = try await PythonInterpreter.system()
        let rounds = max(3, (Int(ProcessInfo.processInfo.environment["JINN_BENCH_ROUNDS"] ?? "") ?? 25) / 3)
        guard let jinn = builtJinnBesideBenchmark() else { return }
        let userCache = JinnPaths.cacheDirectory()
        let uv = try await UVTool.install(using: python, cacheDirectory: userCache)
        let root = URL(fileURLWithPath: "/tmp/jinn-bench-deps-\(getpid())").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let script = root + "/six_script.py"
        let source = """
            # /// script
            # dependencies = ["six==1.17.0"]
            # ///
            import six
            print(six.__version__)
            """
        try source.write(toFile: script, atomically: true, encoding: .utf8)
        // The same script asking its environment's zygote to import six ahead of its runs.
        let preloading = root + "/six_preloaded.py"
        try source.replacingOccurrences(of: "# ///\n", with: "#\n# [tool.jinn]\n# preload = [\"six\"]\n# ///\n")
            .write(toFile: preloading, atomically: true, encoding: .utf8)

        var environment = ProcessInfo.processInfo.environment
        let pythonDirectory = URL(fileURLWithPath: python.executable).deletingLastPathComponent().path
        environment["PATH"] = pythonDirectory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["UV_CACHE_DIR"] = root + "/uv-cache"
        environment["JINN_SOCKET_DIR"] = root + "/sock"
        let configuration = root + "/config.toml"
        try "idle_timeout = 120\n".write(toFile: configuration, atomically: true, encoding: .utf8)
        environment["JINN_CONFIG"] = configuration
        defer { runQuietly(jinn, ["daemon", "stop"], environment: environment) }

        /// A Jinn cache that finds the pinned uv already installed.
        func jinnCache(_ name: String) throws -> [String: String] {
            let cache = root + "/" + name
            try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: cache + "/tools", withDestinationPath: userCache + "/tools")
            var result = environment
            result["JINN_CACHE_DIR"] = cache
            return result
        }
        func timed(_ executable: String, _ arguments: [String], _ environment: [String: String]) async throws -> Double {
            let run = try timeCommand(executable, arguments, environment: environment, in: root)
            guard run.succeeded, String(decoding: run.output, as: UTF8.self) == "1.17.0\n" else {
                throw JinnError.protocolViolation("\(executable) \(arguments) (wait status \(run.status)): "
                                                  + String(decoding: run.errors, as: UTF8.self))
            }
            return run.seconds
        }
        let uvArguments = ["run", "--python", python.executable, "--quiet", script]

        var jinnFirst = Samples(), jinnSecond = Samples(), uvFirst = Samples(), uvSecond = Samples()
        var preloadedSecond = Samples()
        for round in 0..<(rounds + 1) {
            let cache = try jinnCache("jinn-cache-\(round)")
            let a = try await timed(jinn, [script], cache)
            let b = try await timed(jinn, [script], cache)
            try? FileManager.default.removeItem(atPath: root + "/uv-cache/environments-v2")
            let c = try await timed(uv, uvArguments, environment)
            let d = try await timed(uv, uvArguments, environment)
            _ = try await timed(jinn, [preloading], cache)
            let e = try await timed(jinn, [preloading], cache)
            guard round >= 1 else { continue }  // warm-up: the uv cache, the daemon, the page cache
            jinnFirst.add(a)
            jinnSecond.add(b)
            uvFirst.add(c)
            uvSecond.add(d)
            preloadedSecond.add(e)
        }
        func row(_ name: String, _ samples: Samples, _ baseline: Samples?, _ target: String) -> [String] {
            [name, formatDuration(samples.median), formatDuration(samples.percentile(0.9)),
             baseline.map { formatRatio(samples.median, $0.median) } ?? "1.000×", target]
        }
        printTable([
            ["", "p50", "p90", "ratio", "target"],
            row("jinn first run (makes the environment)", jinnFirst, uvFirst, ""),
            row("uv run first run (baseline)", uvFirst, nil, ""),
            row("jinn second run (warm)", jinnSecond, uvSecond, "≤ 0.1×"),
            row("uv run second run (baseline)", uvSecond, nil, ""),
            row("jinn second run, [tool.jinn] preload = [\"six\"]", preloadedSecond, uvSecond, ""),
        ])
        print("uv: \(uv); interpreter: \(python.executable) (\(python.version)); \(rounds) rounds; client: \(jinn)")
    }
}
