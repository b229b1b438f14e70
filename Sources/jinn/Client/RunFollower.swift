import CJinn
import JinnDaemonCore
import JinnSystem
import JinnWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows a run that started: forwards signals to its process group, and ends this process the way the run ended.
/// The wait is tied to the daemon's connection, which ends with the daemon.
struct RunFollower {
    let socket: FrameSocket
    let runID: String
    let pid: pid_t
    let signalFD: Int32
    /// The run's pseudo-terminal, relayed here, or nil for a run without one.
    var terminal: RunTerminal? = nil

    func follow(forwarding held: [Int32]) -> Never {
        for number in held { forward(number) }
        terminal?.enter()
        // The terminal's descriptors last: -1 (skipped by poll) without a terminal.
        var fds = [pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: terminal?.master ?? -1, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: -1, events: Int16(POLLIN), revents: 0)]
        while true {
            // A message read together with the previous one is already buffered.
            for index in fds.indices { fds[index].revents = 0 }
            fds[3].fd = terminal?.watchedInput ?? -1
            let count = socket.hasBufferedFrame ? 1 : retryingInterrupts { poll(&fds, nfds_t(fds.count), -1) }
            if count < 0 {
                printError("jinn: waiting for the run failed: \(Errno.current)")
                terminate()
                exit(ScriptClient.lostStatus)
            }
            if signalFD >= 0 && fds[1].revents != 0 {
                for number in DaemonWait.readSignals(signalFD) { forward(number) }
            }
            if let terminal { relay(terminal, &fds) }
            guard fds[0].revents != 0 || socket.hasBufferedFrame else { continue }
            let message: DaemonMessage?
            do {
                message = try socket.receive().map { value throws(WireError) in try DaemonMessage(value) }
            } catch {
                printError("jinn: lost the daemon during the run \(runID): \(error)")
                terminate()
                exit(ScriptClient.lostStatus)
            }
            switch message {
            case .exited(let status)?:
                terminal?.drain()
                exit(Int32(truncatingIfNeeded: status))
            case .signaled(let number)?:
                terminal?.drain()
                terminal?.restore()
                jinn_die_of_signal(Int32(number))
                exit(128 + Int32(number))
            case .error(_, let text)?:
                printError("jinn: \(text)")
                exit(ScriptClient.lostStatus)
            case nil:
                printError("jinn: the daemon ended during the run \(runID); its result is lost")
                terminate()
                exit(ScriptClient.lostStatus)
            default:
                continue
            }
        }
    }

    /// The bytes both ways between the caller's terminal and the run's.
    private func relay(_ terminal: RunTerminal, _ fds: inout [pollfd]) {
        if fds[2].revents != 0 && !terminal.relayOutput() { fds[2].fd = -1 }
        if fds[3].revents != 0 { terminal.relayInput() }
    }

    private func forward(_ number: Int32) {
        if let terminal {
            forward(number, through: terminal)
            return
        }
        if number == SIGTSTP {
            // Ctrl-Z: the run stops, then this client stops as a shell expects; `fg` continues both. The run leads
            // a session of its own, so the kernel ignores TSTP's default stop there (an orphaned process group):
            // a handler for TSTP still runs, and STOP does the stopping.
            kill(-pid, SIGTSTP)
            kill(-pid, SIGSTOP)
            jinn_stop_self()
            return
        }
        if kill(-pid, number) != 0 { kill(pid, number) }
    }

    /// With a terminal of its own the run's holder passes signals on to the run's foreground group; the terminal's
    /// own signals (Ctrl-C, Ctrl-Z, a resize) reach it through its line discipline.
    private func forward(_ number: Int32, through terminal: RunTerminal) {
        switch number {
        case SIGWINCH:
            terminal.resized()
        case SIGTSTP:
            // The run stopped (its holder says so with TSTP), or someone stops this client: the run stops with it.
            kill(pid, SIGTSTP)
            terminal.stop(with: SIGTSTP)
        case SIGCONT:
            terminal.enter()
            kill(pid, SIGCONT)
        default:
            kill(pid, number)
        }
    }

    /// Makes sure nothing keeps running when the client gives up on a run.
    private func terminate() {
        kill(-pid, SIGTERM)
    }
}
