import JinnWire
import Synchronization

/// One process's side of the handles to its Python objects: which calls may bring handles, and which handles to
/// release.
///
/// The Python side counts, for each handle, the replies that carried it and that Swift has not released (see
/// `jinn/_objects.py`). Swift makes one ``ObjectHandle`` per handle in a reply it reads, and releases it once, when
/// the last copy of that ``ObjectHandle`` goes away: a release therefore always follows the reply that made the
/// handle, and the counts on both sides agree. A reply that comes after its call has timed out or was cancelled
/// is read here, and its handles released at once.
///
/// Releases leave in batches: a deinitializer only appends to a list, so it never sends, never waits for the
/// channel, and never holds a lock another thread waits for while it sends. The next object operation takes the
/// list with it (``takeReleases()``); a task of its own sends what no operation took within a millisecond.
final class ObjectTable: Sendable {
    private struct State {
        /// Calls of object operations sent and not answered yet.
        var inflight: Set<Int> = []
        /// Handles to release with the next batch; a handle appears once per count.
        var releases: [Int] = []
        var draining = false
        /// Ids of the release calls, negative so that they never meet the ids of calls that wait for replies.
        var nextReleaseID = 0
        /// Weak: the channel's handlers keep this table, and a table that kept the channel would keep both.
        weak var channel: MessageChannel?

        /// Whether the caller must start the drain: none runs yet.
        mutating func startDraining() -> Bool {
            if draining { return false }
            draining = true
            return true
        }
    }

    private let state = Mutex(State())
    /// How many calls are tracked: the replies of plain calls skip the lock when none is.
    private let tracking = Atomic<Int>(0)

    /// Notes that call `id`, about to be sent on `channel`, may bring handles.
    func track(_ id: Int, on channel: MessageChannel) {
        state.withLock { state in
            if state.inflight.insert(id).inserted { tracking.add(1, ordering: .relaxed) }
            if state.channel == nil { state.channel = channel }
        }
    }

    /// Forgets call `id`, whose reply has come; whether it was an object operation. Called for every reply, before
    /// the caller resumes: the caller then tracks its next call at once, and must not wait for this lock.
    @discardableResult
    func untrack(_ id: Int) -> Bool {
        guard tracking.load(ordering: .relaxed) > 0 else { return false }
        return state.withLock { state in
            guard state.inflight.remove(id) != nil else { return false }
            tracking.subtract(1, ordering: .relaxed)
            return true
        }
    }

    /// Releases the handles of a reply that came after its call had ended: nobody will hold them.
    func releaseHandles(in reply: PythonValue?) {
        guard let reply else { return }
        let handles = ObjectReply.handles(in: reply)
        if !handles.isEmpty { release(handles) }
    }

    /// The handles waiting to be released, for an operation to take along.
    func takeReleases() -> [Int] {
        state.withLock { state in
            guard !state.releases.isEmpty else { return [] }
            defer { state.releases = [] }
            return state.releases
        }
    }

    /// Releases one count of a handle, in the next batch; called when the last copy of an ``ObjectHandle`` goes.
    func release(_ handle: Int) {
        let start = state.withLock { state in
            state.releases.append(handle)
            return state.startDraining()
        }
        if start { Task.detached { await self.drain() } }
    }

    /// Releases one count of each handle, in the next batch.
    func release(_ handles: [Int]) {
        let start = state.withLock { state in
            state.releases.append(contentsOf: handles)
            return state.startDraining()
        }
        if start { Task.detached { await self.drain() } }
    }

    /// Sends, every millisecond, the releases that no operation took along; only one drain runs at a time. It
    /// stays for ten quiet milliseconds, so that a loop that drops handles wakes one task a millisecond, not one
    /// for each handle.
    private func drain() async {
        var quiet = 0
        while true {
            try? await Task.sleep(for: .milliseconds(1))
            let batch: (handles: [Int], id: Int, channel: MessageChannel?)?? = state.withLock { state in
                guard !state.releases.isEmpty else {
                    if quiet < 10 { return .some(nil) }
                    state.draining = false
                    return nil
                }
                defer { state.releases = [] }
                state.nextReleaseID -= 1
                return (state.releases, state.nextReleaseID, state.channel)
            }
            guard let batch else { return }
            guard let batch else {
                quiet += 1
                continue
            }
            quiet = 0
            // A call whose reply nobody waits for; once the process has ended there is nothing left to release.
            try? batch.channel?.send(.tuple([
                PythonValue(.call), .int(batch.id), ObjectOperation.release.target,
                .tuple([.list(batch.handles.map { .int($0) })]), .dict([]),
            ]))
        }
    }
}
