import JinnWire

/// How a ``PythonProcess`` is started: what happens to its standard streams, which extra interpreter flags it
/// gets, and how it is stopped.
///
/// ```swift
/// var options = LaunchOptions()
/// options.standardOutput = .inherit
/// options.interpreterArguments = ["-X", "dev"]
/// ```
public struct LaunchOptions: Sendable {
    /// Where the process reads its standard input from.
    public enum Input: Sendable, Hashable {
        /// A pipe written with ``PythonProcess/writeToStandardInput(_:)``.
        case pipe
        /// The standard input of this process.
        case inherit
        /// `/dev/null`: reads see end of file at once.
        case null
    }

    /// Where the process writes its standard output or standard error.
    public enum Output: Sendable, Hashable {
        /// A pipe read through ``PythonProcess/standardOutput`` or ``PythonProcess/standardError``.
        case pipe
        /// The same stream of this process.
        case inherit
        /// `/dev/null`: what the process writes is dropped.
        case null

        /// Renamed ``null``, the name of `/dev/null` for standard input too.
        @available(*, deprecated, renamed: "null")
        public static var discard: Output { .null }
    }

    /// Standard input; `.null` unless you ask for a pipe.
    public var standardInput: Input = .null
    /// Standard output; a pipe by default.
    public var standardOutput: Output = .pipe
    /// Standard error; a pipe by default.
    public var standardError: Output = .pipe
    /// Flags passed to the interpreter before the bootstrap, such as `["-X", "dev"]` or `["-I"]`.
    public var interpreterArguments: [String] = []
    /// How long ``PythonProcess/terminate()`` waits after SIGTERM before it sends SIGKILL.
    public var terminationGracePeriod: Duration = .seconds(2)
    /// The largest message either side accepts on the channel (at most 2 GiB − 1).
    public var maximumMessageSize: Int = Frame.defaultMaximumSize
    /// The size of each of the two shared-memory rings (one each way) through which messages of 64 KiB and more
    /// travel, up to half this size each, instead of through the channel's pipes. Memory is taken as the rings are
    /// first used; 0 sends every message through the pipes.
    public var sharedMemorySize = 8 << 20
    /// How long each side of the channel keeps polling for the other side's next message, after sending one,
    /// before its reading thread sleeps.
    ///
    /// A thread woken from another core costs tens of microseconds on some virtual machines, twice per round trip;
    /// a side that is still polling when the answer arrives pays nothing. A polling thread yields its core to any
    /// thread that wants it; the price is up to this much CPU time on each side after each exchange. `.zero`
    /// sleeps at once.
    public var busyPolling: Duration = .microseconds(100)
    /// Whether the process leads a process group of its own, so that signals reach its children too and a
    /// terminal's Ctrl-C does not.
    public var newProcessGroup = false
    /// The Swift functions the program calls with `jinn.call(name, …)` (see ``SwiftHandlers``).
    public var handlers = SwiftHandlers()

    /// Receives each `jinn.send(value)` on the channel's reading thread instead of ``PythonProcess/messages``, for
    /// a host that must not wait for a task to be scheduled (the script runner's daemon).
    package var messageHandler: (@Sendable (PythonValue) -> Void)?

    /// Options with the defaults.
    public init() {}
}
