import Foundation
import Logging

/// How the daemon stops: it gives up its socket's name and its lock first, so that a new daemon can start while
/// the runs in flight finish; then it waits for them, and ends its zygotes.
struct Shutdown: Sendable {
    let listener: Listener
    let lock: DirectoryLock
    let pool: ZygotePool
    let logger: Logger

    /// Stops the daemon; returns once every run has ended and every zygote was told to end.
    func perform(reason: String) {
        logger.notice("daemon stopping: \(reason)")
        listener.withdraw()
        lock.release()
        var waited = 0
        while true {
            let running = pool.sessions.count
            guard running > 0 else { break }
            if waited % 200 == 0 { logger.info("waiting for \(running) run(s) to finish") }
            usleep(10_000)
            waited += 1
        }
        pool.stopAll()
        logger.notice("daemon stopped")
    }
}
