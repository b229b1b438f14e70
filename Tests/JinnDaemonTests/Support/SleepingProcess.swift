import CJinn
import Foundation
import Synchronization

/// A real process for a run's pid, so that a test that signals a session signals a process of its own: `sleep`,
/// started with the default signal dispositions (a test runner may ignore signals, and children inherit that) and
/// killed when the value goes away.
final class SleepingProcess: Sendable {
    /// Its pid.
    let pid: Int32
    private let status = Mutex<Int32?>(nil)

    init() throws {
        var pid: Int32 = 0
        let words: [String] = ["/bin/sleep", "60"]
        let argv = words.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp: [UnsafeMutablePointer<CChar>?] = [nil]
        let error = jinn_spawn("/bin/sleep", argv, envp, nil, [-1, -1, 2], 3, 0, &pid)
        guard error == 0 else { throw POSIXError(POSIXErrorCode(rawValue: error) ?? .EIO) }
        self.pid = pid
    }

    deinit {
        if reap(blocking: false) == nil {
            kill(pid, SIGKILL)
            _ = reap(blocking: true)
        }
    }

    /// Whether it still runs.
    var isRunning: Bool { reap(blocking: false) == nil }

    /// Waits (up to ten seconds) for the process to end; returns the signal that killed it, or nil.
    func waitForSignal() -> Int32? {
        let deadline = ContinuousClock.now + .seconds(10)
        while reap(blocking: false) == nil && ContinuousClock.now < deadline { usleep(5_000) }
        guard let status = reap(blocking: false), status & 0x7f != 0 else { return nil }
        return status & 0x7f
    }

    /// The wait status once it has ended (reaping it the first time), or nil while it runs.
    private func reap(blocking: Bool) -> Int32? {
        status.withLock { known in
            if known == nil {
                var status: Int32 = 0
                if waitpid(pid, &status, blocking ? 0 : WNOHANG) == pid { known = status }
            }
            return known
        }
    }
}
