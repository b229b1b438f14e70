import Synchronization

/// Opens once a program has entered `jinn.serve()`, or once its channel has ended without that; a waiter learns
/// which.
///
/// ``PythonProcess/start(_:interpreter:options:)`` waits on it for a program whose
/// ``PythonProgram/waitsUntilServing`` is set, so that the first call finds the main thread serving.
final class ServingGate: Sendable {
    private struct State {
        var outcome: Bool?
        var waiters: [CheckedContinuation<Bool, Never>] = []
    }

    private let state = Mutex(State())

    /// Opens the gate; `serving` tells whether the program serves (false: its channel ended first).
    func open(serving: Bool) {
        let waiters: [CheckedContinuation<Bool, Never>] = state.withLock { state in
            guard state.outcome == nil else { return [] }
            state.outcome = serving
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: serving) }
    }

    /// Waits until the gate opens and returns whether the program serves.
    func wait() async -> Bool {
        await withCheckedContinuation { continuation in
            let outcome: Bool? = state.withLock { state in
                if state.outcome == nil { state.waiters.append(continuation) }
                return state.outcome
            }
            if let outcome { continuation.resume(returning: outcome) }
        }
    }
}
