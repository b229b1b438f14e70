import Foundation
import Jinn

/// Creating a virtual environment and installing one small wheel (`six`) with uv and with venv + pip, side by
/// side and interleaved, through Jinn's own code path (staging directory, lock, relocation included).
enum EnvironmentsBenchmark {
    static func run() async throws {
        let python = try await PythonInterpreter.system()
        let rounds = Int(ProcessInfo.processInfo.environment["JINN_BENCH_ROUNDS"] ?? "") ?? 5
        let cache = JinnPaths.cacheDirectory()
        // uv's own installation into Jinn's cache happens once, before anything is timed.
        let uv = try await UVTool.locateOrInstall(using: python, cacheDirectory: cache)
        let scratch = NSTemporaryDirectory() + "/jinn-bench-env-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var uvSamples = Samples(), pipSamples = Samples()

        for round in 0..<(rounds + 1) {
            for installer in [InstallerChoice.uv, .pip] {
                var options = EnvironmentOptions()
                options.installer = installer
                options.cacheDirectory = cache
                let target = scratch + "/\(installer.rawValue)-\(round)"
                let seconds = try await measure {
                    _ = try await VirtualEnvironment.create(at: target, from: python, options: options,
                                                            packages: InstallRequest(["six"]))
                }
                try await VirtualEnvironment.remove(at: target)
                // The first round fills both installers' caches, so every timed round installs a cached wheel.
                if round > 0 { installer == .uv ? uvSamples.add(seconds) : pipSamples.add(seconds) }
            }
        }
        printTable([
            ["create venv + install six", "p50", "p90", "ratio to venv + pip"],
            ["uv (\(uv))", formatDuration(uvSamples.median), formatDuration(uvSamples.percentile(0.9)),
             String(format: "%.3f×", uvSamples.median / pipSamples.median)],
            ["venv + pip (baseline)", formatDuration(pipSamples.median), formatDuration(pipSamples.percentile(0.9)),
             "1.000×"],
        ])
        print(String(format: "interpreter: %@ (%@); %d rounds; uv is %.1f× faster", python.executable,
                     python.version.description, rounds, pipSamples.median / uvSamples.median))
    }
}
