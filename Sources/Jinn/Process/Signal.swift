#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX signal, named.
///
/// ```swift
/// process.signal(.hangup)
/// process.signal(.terminate, toProcessGroup: true)   // the program and the children it started
/// process.signal(Signal(rawValue: SIGRTMIN))         // any other number
/// ```
public struct Signal: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The signal's number on this platform.
    public var rawValue: Int32

    /// A signal by its number.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// `SIGINT`: raises `KeyboardInterrupt` in the program's main thread, as Ctrl-C in a terminal does.
    public static let interrupt = Signal(rawValue: SIGINT)
    /// `SIGTERM`: asks the process to stop.
    public static let terminate = Signal(rawValue: SIGTERM)
    /// `SIGKILL`: stops the process at once; it cannot be caught.
    public static let kill = Signal(rawValue: SIGKILL)
    /// `SIGHUP`.
    public static let hangup = Signal(rawValue: SIGHUP)
    /// `SIGQUIT`.
    public static let quit = Signal(rawValue: SIGQUIT)
    /// `SIGUSR1`.
    public static let userDefinedOne = Signal(rawValue: SIGUSR1)
    /// `SIGUSR2`.
    public static let userDefinedTwo = Signal(rawValue: SIGUSR2)
    /// `SIGSTOP`: suspends the process; it cannot be caught.
    public static let suspend = Signal(rawValue: SIGSTOP)
    /// `SIGCONT`: resumes a suspended process.
    public static let resume = Signal(rawValue: SIGCONT)
    /// `SIGALRM`.
    public static let alarm = Signal(rawValue: SIGALRM)
    /// `SIGWINCH`: the terminal's size changed.
    public static let windowSizeChange = Signal(rawValue: SIGWINCH)

    /// The signal's conventional name, such as `SIGTERM`.
    public var description: String { Termination.signalName(rawValue) }
}
