import JinnWire
import Synchronization

/// The calls from Swift into Python that wait for their reply, by id.
///
/// Every call ends exactly once: with its reply, its timeout, its cancellation, or the failure that ends them all
/// when the process goes away. Whichever comes first resumes the caller; the others find nothing left to do (a
/// reply that arrives after a timeout is dropped).
final class CallRegistry: Sendable {
    typealias Reply = Result<PythonValue, JinnError>

    /// Receives the messages a call gets before its reply (REPL output, input requests), on the channel's thread;
    /// it must not block.
    typealias Observer = @Sendable (_ kind: ChannelMessageKind, _ message: PythonValue) -> Void

    private struct Pending {
        var continuation: UnsafeContinuation<Reply, Never>
        var observer: Observer?
        var timer: Task<Void, Never>?
    }

    private struct State {
        var nextID = 0
        var pending: [Int: Pending] = [:]
        var failure: JinnError?
    }

    private let state = Mutex(State())

    /// A new call id.
    func makeID() -> Int {
        state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
    }

    /// Registers a call that waits for its reply; returns the failure instead when the calls have ended.
    func register(_ id: Int, _ continuation: UnsafeContinuation<Reply, Never>, observer: Observer?) -> JinnError? {
        state.withLock { state in
            if let failure = state.failure { return failure }
            state.pending[id] = Pending(continuation: continuation, observer: observer)
            return nil
        }
    }

    /// Attaches the task that ends a call at its deadline, so that an earlier reply cancels it.
    func setTimer(_ id: Int, _ timer: Task<Void, Never>) {
        let stillPending = state.withLock { state in
            guard state.pending[id] != nil else { return false }
            state.pending[id]!.timer = timer
            return true
        }
        if !stillPending { timer.cancel() }
    }

    /// Ends a call; false when it had already ended.
    @discardableResult
    func complete(_ id: Int, with reply: Reply) -> Bool {
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return false }
        pending.timer?.cancel()
        pending.continuation.resume(returning: reply)
        return true
    }

    /// The observer of a call that is still waiting.
    func observer(for id: Int) -> Observer? {
        state.withLock { $0.pending[id]?.observer }
    }

    /// Ends every waiting call with `failure`, and every later one at once.
    func close(with failure: JinnError) {
        let pending = state.withLock { state in
            if state.failure == nil { state.failure = failure }
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for call in pending {
            call.timer?.cancel()
            call.continuation.resume(returning: .failure(failure))
        }
    }
}
