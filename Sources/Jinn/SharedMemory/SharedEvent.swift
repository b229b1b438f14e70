/// A flag that Swift and Python processes share and wait for (Python: `jinn.SharedEvent(name)`), as
/// `threading.Event` is within one process.
///
/// It is made of two named semaphores: `name`, whose value is 1 while the event is set, and `name.l`, which
/// guards changes to it; so `name` may have at most 28 bytes. A waiter takes the flag and puts it back.
///
/// ```swift
/// let started = try SharedEvent(creating: "jinn-readme-started")
/// // Python: jinn.SharedEvent("jinn-readme-started").set()
/// let isSet = try await started.wait(timeout: .milliseconds(500))
/// ```
public final class SharedEvent: Sendable {
    private let flag: SharedSemaphore
    private let guardian: SharedSemaphore
    /// How long a change waits for another process's change in progress (a few instructions) before it gives up.
    private static let changeTimeout = Duration.seconds(2)

    /// Creates the event `name`, not set, owned by this process.
    public init(creating name: String) throws(JinnError) {
        guardian = try SharedSemaphore(creating: try Self.guardName(name), value: 1)
        flag = try SharedSemaphore(creating: name)
    }

    /// Opens the existing event `name`.
    public init(opening name: String) throws(JinnError) {
        guardian = try SharedSemaphore(opening: try Self.guardName(name))
        flag = try SharedSemaphore(opening: name)
    }

    private static func guardName(_ name: String) throws(JinnError) -> String {
        let bare = name.hasPrefix("/") ? String(name.dropFirst()) : name
        guard bare.utf8.count <= SharedMemoryName.maximumLength - 2 else {
            throw .sharedMemory(.invalidName(name, reason: "an event's name has at most 28 bytes"))
        }
        return bare + ".l"
    }

    /// Sets the flag, waking every waiter.
    public func set() throws(JinnError) {
        try changing { () throws(JinnError) in
            _ = flag.tryWait()
            try flag.signal()
        }
    }

    /// Clears the flag.
    public func clear() throws(JinnError) {
        try changing { _ = flag.tryWait() }
    }

    /// Whether the flag is set.
    public var isSet: Bool {
        guard flag.tryWait() else { return false }
        try? flag.signal()
        return true
    }

    /// Waits at most `timeout` for the flag to be set; returns whether it is.
    public func wait(timeout: Duration) async throws(JinnError) -> Bool {
        guard try await flag.wait(timeout: timeout) else { return false }
        try flag.signal()
        return true
    }

    private func changing(_ change: () throws(JinnError) -> Void) throws(JinnError) {
        guard guardian.waitBlocking(timeout: Self.changeTimeout) else {
            throw .timedOut(operation: "changing shared event '\(flag.name)'", seconds: Self.changeTimeout.seconds)
        }
        defer { try? guardian.signal() }
        try change()
    }
}
