import JinnSystem
import Synchronization

/// The daemon's ends of the sockets a zygote's spares wait on, through which the daemon hands a spare its run
/// itself, so that the zygote's wake-up is not between a run and its start (see `jinn/_zygote.py`).
///
/// A socket is first *supplied* (its other end sent to the zygote, not yet given to a spare), then *ready* (a spare
/// waits on it), then *taken* by one run, whose request goes out on it. Only the daemon knows whether it has taken
/// a ready socket, so a zygote that wants its spare back asks (``reclaim(_:)``) instead of ending it: a socket taken
/// already carries a run, which the zygote then hears of. A spare whose socket's end is closed sees the end of file
/// and exits; since spares do not die with their zygote, ``closeAll()`` runs when the zygote ends.
///
/// ```swift
/// let sockets = SpareSockets()
/// let supply = sockets.supply(4)    // supply.ends go to the zygote, then are closed here
/// sockets.spareWaits(supply.tokens[0], pid: spare)
/// if let spare = sockets.take() { /* send the request on spare.descriptor, close it, tell the zygote */ }
/// ```
final class SpareSockets: Sendable {
    /// A ready socket, taken for one run: the caller sends the request on `descriptor`, then closes it.
    struct Taken {
        /// The number the zygote knows the socket by.
        var token: Int
        /// The spare's pid: the leader of its process group, which holds the run-to-be until the hand-over.
        var pid: Int32
        /// The daemon's end, the caller's from now on.
        var descriptor: Int32
    }

    private struct State {
        var supplied: [Int: Int32] = [:]
        var ready: [Taken] = []  // in the order the spares were forked: the zygote counts its runs by it
        var nextToken = 0
        var closed = false
    }

    private let state = Mutex(State())

    /// Makes up to `count` socket pairs and keeps their daemon ends as supplied; returns their tokens and the
    /// zygote's ends, which the caller sends to the zygote and then closes. None once ``closeAll()`` ran.
    func supply(_ count: Int) -> (tokens: [Int], ends: [Int32]) {
        var daemonEnds: [Int32] = [], zygoteEnds: [Int32] = []
        for _ in 0..<count {
            guard let ends = try? OwnedDescriptor.makeSocketPair() else { break }
            let pair = consume ends
            daemonEnds.append(pair.first.release())
            zygoteEnds.append(pair.second.release())
        }
        let tokens = state.withLock { state -> [Int]? in
            guard !state.closed else { return nil }
            return daemonEnds.map { fd in
                defer { state.nextToken += 1 }
                state.supplied[state.nextToken] = fd
                return state.nextToken
            }
        }
        guard let tokens else {
            for fd in daemonEnds + zygoteEnds { _ = closeDescriptor(fd) }
            return ([], [])
        }
        return (tokens, zygoteEnds)
    }

    /// The spare `pid` waits on the socket `token`: it is ready to be taken.
    func spareWaits(_ token: Int, pid: Int32) {
        state.withLock { state in
            guard let fd = state.supplied.removeValue(forKey: token) else { return }
            state.ready.append(Taken(token: token, pid: pid, descriptor: fd))
        }
    }

    /// Takes the socket `token` back unless it was taken: the spare waiting on it sees the end of file and exits.
    func reclaim(_ token: Int) {
        let fd = state.withLock { state -> Int32? in
            if let fd = state.supplied.removeValue(forKey: token) { return fd }
            guard let index = state.ready.firstIndex(where: { $0.token == token }) else { return nil }
            return state.ready.remove(at: index).descriptor
        }
        if let fd { _ = closeDescriptor(fd) }
    }

    /// The socket of the spare that has waited longest, now the caller's; nil when none is ready.
    func take() -> Taken? {
        state.withLock { state in state.ready.isEmpty ? nil : state.ready.removeFirst() }
    }

    /// Closes every end not taken, ending the spares that wait on them; nothing is supplied afterwards.
    func closeAll() {
        let fds = state.withLock { state -> [Int32] in
            state.closed = true
            defer { state.supplied = [:]; state.ready = [] }
            return Array(state.supplied.values) + state.ready.map(\.descriptor)
        }
        for fd in fds { _ = closeDescriptor(fd) }
    }
}
