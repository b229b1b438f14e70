import CJinn
import Foundation

/// The one thread that forks every child.
///
/// Linux sends the parent-death signal when the *thread* that forked a child exits, not the process. Threads of
/// Swift's concurrency pool and of Dispatch come and go, so a child forked from one of them could be killed while
/// its owner is alive. Forking from a thread that lives as long as the process ties the signal to the process.
final class SpawnThread: @unchecked Sendable {
    static let shared = SpawnThread()

    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    private init() {
        Thread.start(named: "jinn-spawn", stackSize: 256 << 10) { [unowned self] in self.serve() }
    }

    /// Runs `job` on the spawn thread and returns its result.
    func run<Result: Sendable>(_ job: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            condition.lock()
            jobs.append { continuation.resume(returning: job()) }
            condition.signal()
            condition.unlock()
        }
    }

    private func serve() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let batch = jobs
            jobs.removeAll()
            condition.unlock()
            for job in batch { job() }
        }
    }
}
