import JinnDaemonCore
import JinnSystem
import JinnWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One bounded wait of the client for the daemon, that wakes for the signals the client forwards as well.
struct DaemonWait {
    let socket: FrameSocket
    /// The signal pipe's read end, or -1.
    let signalFD: Int32
    /// The read end of a run's status pipe to watch as well, or -1.
    var statusFD: Int32 = -1

    enum Outcome {
        case message(DaemonMessage)
        /// The daemon closed the connection, or broke the protocol.
        case closed(String)
        case timedOut
        /// Signals that arrived, in order.
        case signals([Int32])
        /// The status pipe is readable (a status, or its end); it has not been read.
        case status
    }

    /// The signals after which a process that has not started its script simply ends.
    static func isTerminating(_ number: Int32) -> Bool {
        number == SIGINT || number == SIGTERM || number == SIGHUP || number == SIGQUIT
    }

    /// Waits for the next message, a signal or the deadline, whichever comes first.
    func next(until deadline: ContinuousClock.Instant) -> Outcome {
        // A descriptor that is -1 is skipped by poll.
        var fds = [pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: statusFD, events: Int16(POLLIN), revents: 0)]
        while !socket.hasBufferedFrame {
            let left = deadline - .now
            guard left > .zero else { return .timedOut }
            for index in fds.indices { fds[index].revents = 0 }
            let count = poll(&fds, nfds_t(fds.count), Int32(clamping: max(1, left.wholeMilliseconds)))
            if count < 0 && errno != EINTR { return .closed("poll failed: \(Errno.current)") }
            if signalFD >= 0 && fds[1].revents != 0 {
                let numbers = Self.readSignals(signalFD)
                if !numbers.isEmpty { return .signals(numbers) }
            }
            if fds[0].revents != 0 { break }
            if statusFD >= 0 && fds[2].revents != 0 { return .status }
        }
        do {
            guard let value = try socket.receive(until: deadline) else {
                return .closed("the daemon closed the connection without answering")
            }
            return .message(try DaemonMessage(value))
        } catch let error as SocketError where error.isTimeout {
            return .timedOut
        } catch {
            return .closed("\(error)")
        }
    }

    /// The signal numbers waiting in the pipe (which does not block: a byte read with an earlier one leaves it
    /// empty).
    static func readSignals(_ fd: Int32) -> [Int32] {
        var numbers = [UInt8](repeating: 0, count: 64)
        let count = numbers.withUnsafeMutableBytes { buffer in
            retryingInterrupts { read(fd, buffer.baseAddress, buffer.count) }
        }
        return numbers.prefix(max(count, 0)).map(Int32.init)
    }
}
