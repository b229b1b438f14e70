import CJinn
import Dispatch
import Synchronization

/// Runs the jobs of tasks that prefer it on the thread that reads a process's channel, right after the message
/// that resumed them, so that a reply reaches its caller without waking another thread.
///
/// A job enqueued from any other thread runs on the global concurrent queue, still on this executor: a task that
/// prefers it keeps the preference wherever it waits.
final class ChannelExecutor: TaskExecutor {
    private let readingThread = Atomic<UInt>(0)
    private let pending = Mutex<[UnownedJob]>([])

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if isReadingThread {
            pending.withLock { $0.append(job) }
        } else {
            let executor = asUnownedTaskExecutor()
            DispatchQueue.global().async { job.runSynchronously(on: executor) }
        }
    }

    /// Whether the calling thread is the channel's reading thread.
    var isReadingThread: Bool {
        readingThread.load(ordering: .relaxed) == UInt(jinn_current_thread())
    }

    /// Makes the calling thread the one that runs jobs enqueued on it, until ``leave()``.
    func enter() {
        readingThread.store(UInt(jinn_current_thread()), ordering: .relaxed)
    }

    /// Runs the jobs enqueued by the reading thread; call between messages.
    func runPending() {
        while true {
            let jobs = pending.withLock { jobs in
                defer { jobs.removeAll(keepingCapacity: true) }
                return jobs
            }
            if jobs.isEmpty { return }
            let executor = asUnownedTaskExecutor()
            for job in jobs { job.runSynchronously(on: executor) }
        }
    }

    /// The reading thread is about to end: it runs what it was given, and later jobs go to the global queue.
    func leave() {
        readingThread.store(0, ordering: .relaxed)
        runPending()
    }
}
