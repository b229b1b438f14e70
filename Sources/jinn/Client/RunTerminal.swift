import CJinn
import JinnSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The run's own terminal when the client's standard streams are a terminal: a pseudo-terminal whose slave the
/// run gets in place of each standard descriptor that is the caller's terminal, and whose master this client
/// relays, as ssh and tmux do. The caller's terminal is in raw mode while the run is in the foreground, so that
/// keystrokes (Ctrl-C, Ctrl-Z included) reach the run's line discipline, which has the caller's modes.
///
/// The client owns both ends: the slave until the run has started (the run's holder then holds it), the master
/// for the life of the process. Both are close-on-exec, so a direct run's interpreter inherits neither.
final class RunTerminal {
    /// The caller's terminal: standard input.
    let terminal: Int32
    let master: Int32
    private(set) var slave: Int32
    /// The descriptors the run gets as 0, 1 and 2.
    let streams: [Int32]
    /// The slave in place of each standard descriptor that is the caller's terminal.
    let substitutes: [Int32: Int32]
    /// Where the run's terminal output goes: the caller's standard output or error when it is the terminal.
    private let output: Int32
    /// Keystrokes read from the caller's terminal that the run's terminal had no room for yet; none are read
    /// while some wait, so the caller's terminal holds the rest, as it would for python3.
    private var pendingInput: [UInt8] = []
    private var inputOpen = true
    /// Whether the last keystrokes passed on ended with the suspend character (Ctrl-Z).
    private var suspendTyped = false

    private init(terminal: Int32, master: Int32, slave: Int32, streams: [Int32]) {
        self.terminal = terminal
        self.master = master
        self.slave = slave
        self.streams = streams
        output = streams[1] == slave ? 1 : (streams[2] == slave ? 2 : terminal)
        var substitutes: [Int32: Int32] = [:]
        for fd in Int32(0)...2 where streams[Int(fd)] == slave { substitutes[fd] = slave }
        self.substitutes = substitutes
    }

    /// A pseudo-terminal like the caller's terminal when standard input and output are both that terminal, or
    /// nil: a piped run pays only the `isatty` calls, and a run whose input or output is a pipe (`jinn x.py | less`)
    /// gets the caller's terminal itself, because a relay would read keystrokes meant for the other end of the
    /// pipeline. Nil too when a pair cannot be opened (the run then gets the caller's terminal).
    static func open() -> RunTerminal? {
        guard isatty(0) == 1, isatty(1) == 1 else { return nil }
        var input = stat(), output = stat()
        guard fstat(0, &input) == 0, fstat(1, &output) == 0, input.st_rdev == output.st_rdev else { return nil }
        var master: Int32 = -1
        var slave: Int32 = -1
        guard jinn_terminal_open(0, &master, &slave) == 0 else { return nil }
        // Standard error too when it is the same terminal; another terminal or a file stays the run's own.
        var errors = stat()
        let sameErrors = isatty(2) == 1 && fstat(2, &errors) == 0 && errors.st_rdev == input.st_rdev
        return RunTerminal(terminal: 0, master: master, slave: slave, streams: [slave, slave, sameErrors ? slave : 2])
    }

    /// Whether this client is in the foreground of the caller's terminal (a shell's background job is not).
    var inForeground: Bool { jinn_terminal_is_foreground(terminal) != 0 }

    /// The run has started: its holder has the slave now.
    func releaseSlave() {
        if slave >= 0 { close(slave) }
        slave = -1
    }

    /// Raw mode while in the foreground, and the window size as it is now.
    func enter() {
        _ = jinn_terminal_copy_size(terminal, master)
        if inForeground { _ = jinn_terminal_make_raw(terminal) }
    }

    /// The descriptor to watch for keystrokes, or -1 while in the background, while keystrokes wait for room, or
    /// after the terminal's end.
    var watchedInput: Int32 { inputOpen && pendingInput.isEmpty && inForeground ? terminal : -1 }

    /// What to watch the master for: the run's output, and room for keystrokes while some wait.
    var masterEvents: Int16 { Int16(POLLIN) | (pendingInput.isEmpty ? 0 : Int16(POLLOUT)) }

    /// Passes keystrokes from the caller's terminal to the run's, as far as the run's terminal has room.
    func relayInput() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(terminal, $0.baseAddress, $0.count) }
        if count > 0 {
            pendingInput = Array(buffer[..<count])
            flushInput()
        } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
            inputOpen = false
        }
    }

    /// Writes what the run's terminal has room for of the waiting keystrokes (the master never blocks).
    ///
    /// An interrupt, quit or suspend character that reaches the run's terminal signals the run's foreground group
    /// there; under python3 the caller's terminal would have signalled the caller's foreground group as well (a
    /// shell script waiting for the run), which is raw now: the client does it in its place, so that Ctrl-C ends
    /// and Ctrl-Z stops the script that ran `jinn` as they do one that ran `python3`. A suspension waits for the
    /// run to stop (see ``stop(with:)``).
    func flushInput() {
        while !pendingInput.isEmpty {
            let written = pendingInput.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
            if written > 0 {
                let interrupts = pendingInput.withUnsafeBytes {
                    jinn_terminal_interrupts(master, $0.bindMemory(to: UInt8.self).baseAddress, written)
                }
                if interrupts & 1 != 0 { _ = jinn_terminal_signal_foreground(terminal, SIGINT) }
                if interrupts & 2 != 0 { _ = jinn_terminal_signal_foreground(terminal, SIGQUIT) }
                suspendTyped = interrupts & 4 != 0
                pendingInput.removeFirst(written)
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                // No room (EAGAIN): the next POLLOUT resumes. Any other failure: the run's terminal is gone.
                if !(written < 0 && errno == EAGAIN) { pendingInput = [] }
                return
            }
        }
    }

    /// Passes what the run wrote to its terminal on to the caller's; false once no process holds the slave.
    @discardableResult
    func relayOutput() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 1 << 14)
        let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
        if count > 0 {
            _ = buffer.withUnsafeBytes { jinn_write_all(output, $0.baseAddress, count) }
            return true
        }
        return count < 0 && (errno == EINTR || errno == EAGAIN)
    }

    /// Writes what the run's terminal still holds once the run has ended: until the slave is closed everywhere,
    /// or for a moment without output when a process the run left behind still holds it.
    func drain() {
        relayWaitingOutput(patience: 50)
    }

    /// Relays the run's terminal output until none has come for `patience` milliseconds (or the slave is closed
    /// everywhere).
    private func relayWaitingOutput(patience: Int32) {
        var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0)]
        while retryingInterrupts({ poll(&fds, 1, patience) }) > 0, relayOutput() {}
    }

    /// The window of the caller's terminal changed: the run's follows (and its foreground group gets SIGWINCH).
    func resized() {
        _ = jinn_terminal_copy_size(terminal, master)
    }

    /// The run stopped (its holder sent `number`): the terminal goes back to the caller's modes, this client stops
    /// as the run did, and once continued it takes the terminal back if it is in the foreground.
    func stop(with number: Int32) {
        // What the run's terminal wrote before the stop (its echo of Ctrl-Z) comes first, as on the caller's own.
        relayWaitingOutput(patience: 0)
        // Stopped by Ctrl-Z, the run stops with the caller's foreground group, as the caller's terminal would have
        // stopped python3's (a shell script waiting for it included); stopped otherwise, alone.
        jinn_terminal_stop_self(number, suspendTyped ? 1 : 0)
        suspendTyped = false
        enter()
    }

    /// The caller's terminal as it was.
    func restore() {
        jinn_terminal_restore()
    }
}
