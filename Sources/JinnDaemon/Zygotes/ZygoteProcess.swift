import Jinn
import JinnWire

/// What the process behind a ``Zygote`` reports, in the order it happens.
package enum ZygoteProcessEvent: Sendable, Equatable {
    /// A message the process sent (see ``ZygoteMessage``), not yet read.
    case message(PythonValue)
    /// The process ended; nothing follows.
    case ended(Termination)
}

/// The process behind a ``Zygote``: where its messages come from and where its runs go.
///
/// ``PythonZygoteProcess`` runs `jinn._zygote` in a real interpreter; tests put a scripted process in its place, so
/// that a zygote's handling of messages can be exercised without Python. The ``Zygote`` owns its process, and the
/// process reports to the zygote only through the `events` handler it was started with.
package protocol ZygoteProcess: Sendable {
    /// Starts the process and returns its pid.
    ///
    /// From then on `events` receives every message the process sends, then its end, one at a time and in order,
    /// on whichever thread reads them; the first may come before `start` returns. Called once, from a plain thread
    /// (never from a task): it may wait for the process to be spawned.
    func start(events: @escaping @Sendable (ZygoteProcessEvent) -> Void) throws(JinnError) -> Int32

    /// Hands a run to the process: `("run", runID, request)` with the caller's standard input, output and error
    /// attached. The caller keeps (and closes) its copies of the descriptors.
    func submit(runID: String, request: RunRequest, descriptors: [Int32]) throws(JinnError)

    /// Ends the process (SIGTERM, then SIGKILL after a grace period); its end arrives as
    /// ``ZygoteProcessEvent/ended(_:)``.
    func terminate()
}
