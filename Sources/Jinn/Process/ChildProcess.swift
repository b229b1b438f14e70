import CJinn
import Foundation
import JinnSystem
import Synchronization

/// A child process: started with exactly the descriptors it is meant to have, reaped by a thread of its own
/// the moment it ends, and never signalled after it was reaped (so a recycled pid is never hit).
final class ChildProcess: Sendable {
    /// What a child is started with.
    struct Configuration: Sendable {
        var executable: String
        var arguments: [String]
        var environment: [String: String]
        var workingDirectory: String?
        /// `descriptors[i]` becomes descriptor `i` in the child; -1 means `/dev/null`. Lent: the child gets copies
        /// and the caller keeps these.
        var descriptors: [Int32]
        var newProcessGroup = false
        var newSession = false
        var dieWithParent = true
    }

    let pid: pid_t
    private let state = Mutex(State())

    private struct State {
        var termination: Termination?
        var waiters: [Int: CheckedContinuation<Termination?, Never>] = [:]
        var nextWaiter = 0
    }

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts a child. The caller keeps ownership of the descriptors it passed (and should close the child's
    /// ends at once: ``spawn(_:with:)`` does).
    static func spawn(_ configuration: Configuration) async throws(JinnError) -> ChildProcess {
        let result: Result<pid_t, JinnError> = await SpawnThread.shared.run {
            var flags: Int32 = 0
            if configuration.newSession { flags |= Int32(JINN_SPAWN_SETSID) }
            if configuration.newProcessGroup { flags |= Int32(JINN_SPAWN_SETPGID) }
            if configuration.dieWithParent { flags |= Int32(JINN_SPAWN_PARENT_DEATH_SIGNAL) }
            let arguments = CStringArray([configuration.executable] + configuration.arguments)
            let environment = CStringArray(configuration.environment.map { "\($0.key)=\($0.value)" })
            var pid: pid_t = 0
            let error = arguments.withUnsafePointer { argv in
                environment.withUnsafePointer { envp in
                    configuration.descriptors.withUnsafeBufferPointer { fds in
                        jinn_spawn(configuration.executable, argv, envp, configuration.workingDirectory,
                                   fds.baseAddress, Int32(fds.count), flags, &pid)
                    }
                }
            }
            if error != 0 {
                if let directory = configuration.workingDirectory, error == ENOENT || error == ENOTDIR,
                    !FileManager.default.fileExists(atPath: directory)
                {
                    return .failure(.launchFailed(path: directory + " (working directory)", errno: error))
                }
                return .failure(.launchFailed(path: configuration.executable, errno: error))
            }
            return .success(pid)
        }
        let child = ChildProcess(pid: try result.get())
        child.startReaper()
        return child
    }

    /// The termination, once the child has ended.
    var termination: Termination? {
        state.withLock { $0.termination }
    }

    /// Waits until the child has ended.
    func wait() async -> Termination {
        await wait(timeout: nil)!
    }

    /// Waits until the child has ended, or returns nil after `timeout`.
    func wait(timeout: Duration?) async -> Termination? {
        await withCheckedContinuation { continuation in
            let (ended, waiter): (Termination?, Int) = state.withLock { state in
                if let termination = state.termination { return (termination, -1) }
                let id = state.nextWaiter
                state.nextWaiter += 1
                state.waiters[id] = continuation
                return (nil, id)
            }
            if let ended {
                continuation.resume(returning: ended)
            } else if let timeout {
                Task {
                    try? await Task.sleep(for: timeout)
                    state.withLock { $0.waiters.removeValue(forKey: waiter) }?.resume(returning: nil)
                }
            }
        }
    }

    /// Sends a signal to the child (or its process group); returns false when the child has already been reaped.
    @discardableResult
    func signal(_ signal: Int32, toGroup: Bool = false) -> Bool {
        state.withLock { state in
            guard state.termination == nil else { return false }
            return kill(toGroup ? -pid : pid, signal) == 0
        }
    }

    private func startReaper() {
        Thread.start(named: "jinn-reaper", stackSize: 64 << 10) { [self] in
            // Wait without reaping first: while the zombie exists its pid cannot be reused, so `signal` stays safe
            // until the reap below happens under the lock.
            var info = siginfo_t()
            _ = retryingInterrupts { waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) }
            let waiters: [CheckedContinuation<Termination?, Never>]
            let termination: Termination
            (waiters, termination) = state.withLock { state in
                var status: Int32 = 0
                let result = retryingInterrupts { waitpid(pid, &status, 0) }
                let ended = result == pid ? Termination(waitStatus: status) : .exited(255)
                state.termination = ended
                defer { state.waiters.removeAll() }
                return (Array(state.waiters.values), ended)
            }
            for waiter in waiters { waiter.resume(returning: termination) }
        }
    }
}
