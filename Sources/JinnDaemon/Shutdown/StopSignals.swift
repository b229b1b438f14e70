import CJinn
import Jinn

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGTERM, SIGINT and SIGHUP, turned into bytes on a pipe that the serving loop polls beside the listener.
struct StopSignals: Sendable {
    /// The pipe's reading end: readable once one of the signals has arrived.
    let fd: Int32

    /// Installs the handlers; from now on the signals stop the daemon instead of killing it.
    static func install() -> StopSignals {
        let signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]
        return StopSignals(fd: jinn_signal_pipe(signals, Int32(signals.count)))
    }

    /// The signal that arrived, described: `signal 15 (SIGTERM)`.
    func take() -> String {
        var number: UInt8 = 0
        _ = read(fd, &number, 1)
        return "signal \(number) (\(Termination.signalName(Int32(number))))"
    }
}
