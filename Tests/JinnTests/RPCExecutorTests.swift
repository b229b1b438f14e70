import Foundation
import Jinn
import JinnWire
import Testing

/// Tasks that prefer a process's executor resume on the thread that reads its replies.
@Suite("The process's executor")
struct RPCExecutorTests {
    /// The name of the thread this code runs on.
    private func threadName() -> String {
        let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "unknown"
        return name.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aTaskThatPrefersItResumesOnTheReadingThread() async throws {
        let python = try await startServer([fixtureModule])
        let (total, names) = try await withTaskExecutorPreference(python.executor) {
            var total = 0
            var names: Set<String> = []
            for index in 0..<500 {
                total += try await python.call("fixture.add", index, 1) as Int
                names.insert(threadName())
            }
            return (total, names)
        }
        #expect(total == (0..<500).reduce(0) { $0 + $1 + 1 })
        #expect(names == ["jinn-channel"])
        // Without the preference, the caller resumes on the global pool.
        _ = try await python.call("fixture.add", 1, 2) as Int
        #expect(threadName() != "jinn-channel")
        await python.shutdown()
    }

    @Test func callsInFlightNestedCallsAndTimeoutsWorkOnIt() async throws {
        let holder = ProcessHolder()
        var options = LaunchOptions()
        options.standardOutput = .null
        options.standardError = .null
        options.handlers.register("deeper") { (depth: Int) async throws -> Int in
            guard let python = holder.process else { return -1 }
            if depth == 0 { return try await python.call("fixture.add", 100, 0) }
            return try await python.call("fixture.ask", "deeper", depth - 1) as Int + 1
        }
        let python = try await startServer([fixtureModule], options: options)
        holder.process = python
        try await withTaskExecutorPreference(python.executor) {
            // Child tasks keep the preference.
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<64 { group.addTask { try await python.call("fixture.add", index, index) } }
                var results: [Int] = []
                for try await result in group { results.append(result) }
                return results.sorted()
            }
            #expect(results == (0..<64).map { $0 * 2 })
            #expect(try await python.call("fixture.ask", "deeper", 4) as Int == 104)
            // A timeout resumes the caller from another thread; the process carries on.
            await #expect(throws: JinnError.self) {
                try await python.call("fixture.spin", "on the executor", timeout: .milliseconds(50))
            }
            #expect(try await python.call("fixture.add", 2, 3) as Int == 5)
            // Large values in shared memory, too.
            let data = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 * 7) })
            #expect(try await python.call("fixture.echo", data) as Data == data)
        }
        holder.process = nil
        await python.shutdown()
    }

    @Test func largeMessagesBothWaysAtOnceDoNotDeadlockTheReadingThread() async throws {
        // Too large for the rings: requests written from the reading thread and replies written by Python's reading
        // thread fill both pipes at once. The reading thread keeps reading while it waits to write.
        let python = try await startServer([fixtureModule])
        let sizes = try await withTaskExecutorPreference(python.executor) {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        let data = Data(repeating: UInt8(index), count: 6 << 20)
                        let echoed: Data = try await python.call("fixture.echo", data, timeout: .seconds(60))
                        return echoed == data ? echoed.count : -1
                    }
                }
                var sizes: [Int] = []
                for try await size in group { sizes.append(size) }
                return sizes
            }
        }
        #expect(sizes == Array(repeating: 6 << 20, count: 6))
        await python.shutdown()
    }

    @Test func whenTheProcessEndsItsWaitingCallersStillResume() async throws {
        let python = try await startServer([fixtureModule])
        let outcome = await withTaskExecutorPreference(python.executor) {
            await failure { () async throws(JinnError) in _ = try await python.call("fixture.die") }
        }
        if case .processNotRunning(let termination)? = outcome {
            #expect(termination == .signaled(SIGKILL))
        } else {
            Issue.record("unexpected outcome: \(String(describing: outcome))")
        }
        await #expect(throws: JinnError.self) {
            try await withTaskExecutorPreference(python.executor) { try await python.call("fixture.add", 1, 2) }
        }
    }
}
