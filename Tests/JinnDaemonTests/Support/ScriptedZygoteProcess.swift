import Foundation
import Jinn
@testable import JinnDaemon
import JinnWire
import Synchronization

/// A zygote process that runs no Python: a test sends the messages a zygote would send, ends it, and reads what it
/// was handed.
final class ScriptedZygoteProcess: ZygoteProcess {
    /// A run the zygote was handed.
    struct Submission: Equatable {
        var runID: String
        var request: RunRequest
        var descriptors: Int
    }

    /// The pid it claims.
    let pid: Int32
    private let startFailure: JinnError?
    private let readyWhileStarting: ZygoteFacts?
    private let started = DispatchSemaphore(value: 0)
    private let release: DispatchSemaphore?
    private let state = Mutex(State())

    private struct State {
        var events: (@Sendable (ZygoteProcessEvent) -> Void)?
        var starts = 0
        var submissions: [Submission] = []
        var submitFailure: JinnError?
        var terminations = 0
        var endsWhenTerminated = true
        var ended = false
    }

    /// - Parameters:
    ///   - pid: the pid `start` returns.
    ///   - startFailure: what `start` throws instead.
    ///   - holdsStart: whether `start` waits for ``releaseStart()``, as a slow spawn would.
    ///   - readyWhileStarting: facts of a `ready` message sent before `start` returns, as a quick zygote may.
    init(pid: Int32 = 4_000_001, startFailure: JinnError? = nil, holdsStart: Bool = false,
         readyWhileStarting: ZygoteFacts? = nil)
    {
        self.pid = pid
        self.startFailure = startFailure
        self.readyWhileStarting = readyWhileStarting
        release = holdsStart ? DispatchSemaphore(value: 0) : nil
    }

    func start(events: @escaping @Sendable (ZygoteProcessEvent) -> Void) throws(JinnError) -> Int32 {
        state.withLock { $0.starts += 1 }
        started.signal()
        release?.wait()
        if let startFailure { throw startFailure }
        state.withLock { $0.events = events }
        if let readyWhileStarting { send(.ready(readyWhileStarting)) }
        return pid
    }

    func submit(runID: String, request: RunRequest, descriptors: [Int32]) throws(JinnError) {
        let failure = state.withLock { state -> JinnError? in
            if state.submitFailure == nil {
                state.submissions.append(Submission(runID: runID, request: request, descriptors: descriptors.count))
            }
            return state.submitFailure
        }
        if let failure { throw failure }
    }

    func terminate() {
        let ends = state.withLock { state -> Bool in
            state.terminations += 1
            return state.endsWhenTerminated
        }
        if ends { end(.signaled(SIGTERM)) }
    }

    // MARK: - What the test does

    /// Waits until `start` has been called (for a process that holds its start).
    func waitUntilStarting() {
        started.wait()
    }

    /// Lets a held `start` return.
    func releaseStart() {
        release?.signal()
    }

    /// Sends a message as the zygote would.
    func send(_ message: ZygoteMessage) {
        send(raw: message.value)
    }

    /// Sends any value, well-formed or not.
    func send(raw value: PythonValue) {
        let events = state.withLock { $0.events }
        events?(.message(value))
    }

    /// Ends the process (once).
    func end(_ termination: Termination) {
        let events = state.withLock { state -> (@Sendable (ZygoteProcessEvent) -> Void)? in
            guard !state.ended else { return nil }
            state.ended = true
            return state.events
        }
        events?(.ended(termination))
    }

    /// Makes later submissions fail with `error`.
    func failSubmissions(with error: JinnError) {
        state.withLock { $0.submitFailure = error }
    }

    /// Makes `terminate` record the request without ending the process.
    func ignoreTermination() {
        state.withLock { $0.endsWhenTerminated = false }
    }

    var starts: Int { state.withLock { $0.starts } }
    var submissions: [Submission] { state.withLock { $0.submissions } }
    var terminations: Int { state.withLock { $0.terminations } }
}
