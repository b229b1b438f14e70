import Dispatch
import Synchronization

extension Duration {
    /// The duration in whole nanoseconds.
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    }
}

/// A gate that opens once and stays open: a thread that waits before it opens blocks until it does.
final class Latch: Sendable {
    private let group = DispatchGroup()
    private let opened = Mutex(false)

    init() {
        group.enter()
    }

    deinit {
        // A group dropped while entered is a fault in Dispatch; nobody can be waiting on a latch that goes away.
        open()
    }

    /// Opens the gate and lets every waiter through; later calls do nothing.
    func open() {
        let first = opened.withLock { isOpen -> Bool in
            defer { isOpen = true }
            return !isOpen
        }
        if first { group.leave() }
    }

    /// Waits until the gate is open. Never call it from a task.
    func wait() {
        group.wait()
    }

    /// Waits until the gate is open, for at most `timeout`; true when it opened. Never call it from a task.
    func wait(timeout: Duration) -> Bool {
        group.wait(timeout: .now() + .nanoseconds(Int(clamping: timeout.wholeNanoseconds))) == .success
    }

    /// Whether the gate is open.
    var isOpen: Bool { opened.withLock { $0 } }
}
