import Foundation
import Jinn
import Testing

/// Busy polling (`LaunchOptions.busyPolling`): each side polls for the other's answer for a moment after it sends,
/// and sleeps once that moment has passed.
@Suite("Busy polling on the channel")
struct RPCBusyPollingTests {
    @Test(arguments: [Duration.zero, .microseconds(100), .milliseconds(5)])
    func callsAndReplExecutionsWorkWithAnyPolling(_ polling: Duration) async throws {
        var options = LaunchOptions()
        options.standardOutput = .null
        options.standardError = .null
        options.busyPolling = polling
        let python = try await startServer([fixtureModule], options: options)
        var total = 0
        for index in 0..<200 { total += try await python.call("fixture.add", index, 1) as Int }
        let onExecutor = try await withTaskExecutorPreference(python.executor) {
            var total = 0
            for index in 0..<200 { total += try await python.call("fixture.add", index, 1) as Int }
            return total
        }
        let expected = (0..<200).reduce(0) { $0 + $1 + 1 }
        #expect(total == expected)
        #expect(onExecutor == expected)
        // A reply that takes longer than the polling lasts still arrives.
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await python.call("fixture.add", 40, 2) as Int == 42)
        await python.shutdown()
    }

    @Test func neitherSideKeepsPollingWhileIdle() async throws {
        var options = LaunchOptions()
        options.standardOutput = .null
        options.standardError = .null
        options.busyPolling = .milliseconds(5)
        let python = try await startServer([fixtureModule], options: options)
        try await withTaskExecutorPreference(python.executor) {
            for index in 0..<200 { _ = try await python.call("fixture.add", index, 1) as Int }
        }
        for index in 0..<200 { _ = try await python.call("fixture.add", index, 1) as Int }
        try await Task.sleep(for: .milliseconds(50))  // past every polling window
        let childBefore = Self.cpuSeconds(of: python.processIdentifier), ownBefore = Self.threadCPUSeconds()
        try await Task.sleep(for: .milliseconds(500))
        let childIdle = Self.cpuSeconds(of: python.processIdentifier) - childBefore
        // By thread: tests running meanwhile spend this process's CPU too, but a thread polling through the half
        // second would spend about all of it.
        let ownIdle = Self.threadCPUSeconds().map { $0.value - (ownBefore[$0.key] ?? 0) }.max() ?? 0
        #expect(childIdle < 0.1, "the Python process used \(childIdle) s of CPU while idle")
        #expect(ownIdle < 0.25, "a thread of this process used \(ownIdle) s of CPU while idle")
        await python.shutdown()
    }

    /// User plus system time of a process, from /proc (clock ticks of 10 ms).
    private static func cpuSeconds(of pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let fields = stat.split(separator: ")").last?.split(separator: " "), fields.count > 13,
            let user = Double(fields[11]), let system = Double(fields[12])
        else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The CPU time of each thread of this process, by thread id.
    private static func threadCPUSeconds() -> [String: Double] {
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var result: [String: Double] = [:]
        for thread in threads {
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(thread)/stat", encoding: .utf8),
                let fields = stat.split(separator: ")").last?.split(separator: " "), fields.count > 13,
                let user = Double(fields[11]), let system = Double(fields[12])
            else { continue }
            result[thread] = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
        return result
    }
}
