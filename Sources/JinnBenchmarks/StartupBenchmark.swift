import Foundation
import Jinn

/// Start to first message of a program held in memory, against a cold `python -c pass` and `python -S -c pass`
/// with the same interpreter, interleaved so that all three see the same machine load.
enum StartupBenchmark {
    static func run() async throws {
        let python = try await PythonInterpreter.system()
        let rounds = Int(ProcessInfo.processInfo.environment["JINN_BENCH_ROUNDS"] ?? "") ?? 25
        var options = LaunchOptions()
        options.standardOutput = .null
        options.standardError = .null
        let program = PythonProgram(main: "import jinn\njinn.send('ready')\n")
        let empty = PythonProgram.code("pass")
        var jinn = Samples(), jinnWhole = Samples(), plain = Samples(), noSite = Samples()

        for round in 0..<(rounds + 2) {
            var process: PythonProcess?
            let firstMessage = try await measure {
                let started = try await PythonProcess.start(program, interpreter: python, options: options)
                var iterator = started.messages.makeAsyncIterator()
                guard await iterator.next() != nil else { throw JinnError.processFailed(await started.wait()) }
                process = started
            }
            // The figure ends at the first message; the interpreter's shutdown is not part of it.
            await process?.wait()
            let whole = try await measure {
                let termination = await (try await PythonProcess.start(empty, interpreter: python, options: options)).wait()
                guard termination.isSuccess else { throw JinnError.processFailed(termination) }
            }
            let cold = try await measure { try await runQuietly(python.executable, ["-c", "pass"]) }
            let coldNoSite = try await measure { try await runQuietly(python.executable, ["-S", "-c", "pass"]) }
            if round >= 2 {  // two warm-up rounds fill the page cache for every contender
                jinn.add(firstMessage)
                jinnWhole.add(whole)
                plain.add(cold)
                noSite.add(coldNoSite)
            }
        }
        printTable([
            ["", "p50", "p90", "ratio to python -c pass"],
            ["jinn: start → first message", formatDuration(jinn.median), formatDuration(jinn.percentile(0.9)),
             String(format: "%.2f×", jinn.median / plain.median)],
            ["jinn: start → exit of `pass`", formatDuration(jinnWhole.median),
             formatDuration(jinnWhole.percentile(0.9)), String(format: "%.2f×", jinnWhole.median / plain.median)],
            ["python -c pass (cold, baseline)", formatDuration(plain.median), formatDuration(plain.percentile(0.9)),
             "1.00×"],
            ["python -S -c pass (floor)", formatDuration(noSite.median), formatDuration(noSite.percentile(0.9)),
             String(format: "%.2f×", noSite.median / plain.median)],
        ])
        print("interpreter: \(python.executable) (\(python.version)); \(rounds) rounds; target ≤ 1.15×")
    }

    /// Starts and waits for a plain interpreter through the same spawn path Jinn uses, so that only the
    /// bootstrap differs between the contenders.
    private static func runQuietly(_ executable: String, _ arguments: [String]) async throws {
        let (termination, _, _) = try await runCapturing(executable, arguments)
        guard termination.isSuccess else { throw JinnError.processFailed(termination) }
    }
}
