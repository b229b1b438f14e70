import Dispatch
import Synchronization

/// A gate that opens once and stays open: a thread that waits before it opens blocks until it does.
final class Latch: Sendable {
    private let group = DispatchGroup()
    private let isOpen = Mutex(false)

    init() {
        group.enter()
    }

    deinit {
        // A group dropped while entered is a fault in Dispatch; nobody can be waiting on a latch that goes away.
        open()
    }

    /// Opens the gate and lets every waiter through; later calls do nothing.
    func open() {
        let first = isOpen.withLock { isOpen -> Bool in
            defer { isOpen = true }
            return !isOpen
        }
        if first { group.leave() }
    }

    /// Waits until the gate is open. Never call it from a task.
    func wait() {
        group.wait()
    }
}
