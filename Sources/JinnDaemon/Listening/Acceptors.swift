import CJinn
import Foundation
import JinnSystem
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The threads that wait in `accept` on the daemon's socket, each serving the connection it takes.
///
/// A client's connection wakes the thread that serves it: the kernel hands each connection to one of the threads
/// waiting in `accept`, so no other thread (and no thread's start) stands between a client and its run. A thread
/// that has served its connection waits again, so a steady stream of runs starts no thread at all; a new one starts
/// only when the last waiting thread takes a connection (runs that overlap), and one beyond ``maximumWaiting``
/// waiting threads ends.
final class Acceptors: Sendable {
    /// The threads waiting in `accept` once the daemon serves.
    static let minimumWaiting = 2
    /// The most threads left waiting; a thread that would be one more ends.
    static let maximumWaiting = 4

    private struct State {
        var waiting = 0
        var stopping = false
    }

    private let listener: Listener
    private let state = Mutex(State())
    private let serve: @Sendable (Int32) -> Void
    private let failed: @Sendable (Errno) -> Void

    /// - Parameters:
    ///   - serve: serves an accepted connection, whose descriptor it owns, on the calling thread.
    ///   - failed: called on the thread whose `accept` failed (at the descriptor limit, say) with the reason.
    init(listener: Listener, serve: @escaping @Sendable (Int32) -> Void,
         failed: @escaping @Sendable (Errno) -> Void)
    {
        self.listener = listener
        self.serve = serve
        self.failed = failed
    }

    /// Starts the waiting threads.
    func start() {
        for _ in 0..<Self.minimumWaiting { startThread() }
    }

    /// Wakes the waiting threads and lets none wait again; returns once none is left in `accept` (or after a
    /// second), so that the listener can be closed. Threads serving a connection end when it does.
    func stop() {
        state.withLock { $0.stopping = true }
        // A socket shut down fails every `accept` on it at once, one in progress or one yet to come.
        listener.stopAccepting()
        for _ in 0..<1000 where state.withLock({ $0.waiting }) > 0 {
            usleep(1000)
        }
    }

    private func startThread() {
        let thread = Thread { [self] in
            jinn_name_thread("jinn-connection")  // for `top -H` and debuggers; Thread.name does not reach the system
            acceptAndServe()
        }
        thread.stackSize = 512 << 10
        thread.start()
    }

    private func acceptAndServe() {
        while true {
            let waits = state.withLock { state -> Bool in
                guard !state.stopping, state.waiting < Self.maximumWaiting else { return false }
                state.waiting += 1
                return true
            }
            guard waits else { return }
            let fd = listener.accept()
            let error = Errno.current
            let (stopping, last) = state.withLock { state -> (Bool, Bool) in
                state.waiting -= 1
                return (state.stopping, state.waiting == 0)
            }
            guard let fd else {
                if stopping { return }
                failed(error)
                continue
            }
            // Before this connection is served, which lasts as long as its run: the next client must find a thread
            // waiting.
            if last && !stopping { startThread() }
            serve(fd)
        }
    }
}
