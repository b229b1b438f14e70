import CJinn
import JinnDaemonCore
import JinnSystem
import JinnWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows a run that started: forwards signals to its process group, and ends this process the way the run ended,
/// as the first of the run's status pipe and the daemon's connection tells it. The wait is tied to both: the pipe
/// ends with the run, the connection with the daemon; a daemon that goes away while the pipe is open leaves the
/// run to the pipe.
struct RunFollower {
    let socket: FrameSocket
    let runID: String
    /// The run's pid, or -1 when the daemon never told it (no signal can be forwarded then).
    let pid: pid_t
    let signalFD: Int32
    /// The read end of the run's ``StatusPipe``, or -1.
    let statusFD: Int32
    /// The run's pseudo-terminal, relayed here, or nil for a run without one.
    var terminal: RunTerminal? = nil

    /// Follows the run; with `daemonLoss`, the daemon is gone already (that is what a lost run prints), and only
    /// the status pipe is watched.
    func follow(forwarding held: [Int32], daemonLoss lost: String? = nil) -> Never {
        for number in held { forward(number) }
        terminal?.enter()
        // A descriptor no longer watched is set to -1, which poll skips; the terminal's are last, -1 without one.
        var fds = [pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: statusFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: terminal?.master ?? -1, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: -1, events: Int16(POLLIN), revents: 0)]
        var daemonLoss = lost
        if lost != nil { fds[0].fd = -1 }
        while true {
            // A message read together with the previous one is already buffered.
            for index in fds.indices { fds[index].revents = 0 }
            fds[3].events = terminal?.masterEvents ?? Int16(POLLIN)
            fds[4].fd = terminal?.watchedInput ?? -1
            let buffered = daemonLoss == nil && socket.hasBufferedFrame
            let count = buffered ? 1 : retryingInterrupts { poll(&fds, nfds_t(fds.count), -1) }
            if count < 0 {
                printError("jinn: waiting for the run failed: \(Errno.current)")
                terminate()
                exit(ScriptClient.lostStatus)
            }
            if signalFD >= 0 && fds[1].revents != 0 {
                for number in DaemonWait.readSignals(signalFD) { forward(number) }
            }
            if let terminal { relay(terminal, &fds) }
            if fds[2].fd >= 0 && fds[2].revents != 0 {
                fds[2].fd = -1
                end(StatusPipe.reading(statusFD), daemonLoss: daemonLoss)
            }
            guard daemonLoss == nil, fds[0].revents != 0 || socket.hasBufferedFrame else { continue }
            let message: DaemonMessage?
            do {
                message = try socket.receive().map { value throws(WireError) in try DaemonMessage(value) }
            } catch {
                daemonLoss = "jinn: lost the daemon during the run \(runID): \(error)"
                fds[0].fd = -1
                if fds[2].fd < 0 { end(.ended, daemonLoss: daemonLoss) }
                continue
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
                daemonLoss = "jinn: \(text)"
            case nil:
                daemonLoss = "jinn: the daemon ended during the run \(runID); its result is lost"
            default:
                continue
            }
            // The run may still be running, and its pipe may still tell how it ends.
            fds[0].fd = -1
            if fds[2].fd < 0 { end(.ended, daemonLoss: daemonLoss) }
        }
    }

    /// Ends this process as a run that ended before its start was reported: its status pipe said `reading`.
    func finish(_ reading: StatusPipe.Reading) -> Never {
        end(reading, daemonLoss: nil)
        exit(ScriptClient.lostStatus)
    }

    /// Ends this process as the status pipe said, or as a lost run when the pipe ended without saying and the
    /// daemon is gone (`daemonLoss` is then what to print); returns when the daemon may still tell.
    private func end(_ reading: StatusPipe.Reading, daemonLoss: String?) {
        if reading != .ended && daemonLoss == nil {
            // Before the daemon sees this client gone, so that it leaves what the run left running alone.
            try? socket.send(RunDescriptors.endedMessage)
        }
        switch reading {
        case .exited(let status):
            terminal?.drain()
            exit(status)
        case .signaled(let number):
            terminal?.drain()
            terminal?.restore()
            jinn_die_of_signal(number)
            exit(128 + number)
        case .ended:
            guard let daemonLoss else { return }
            printError(daemonLoss)
            terminate()
            exit(ScriptClient.lostStatus)
        }
    }

    /// The bytes both ways between the caller's terminal and the run's.
    private func relay(_ terminal: RunTerminal, _ fds: inout [pollfd]) {
        let ready = fds[3].revents
        if ready & Int16(POLLIN | POLLHUP | POLLERR) != 0 && !terminal.relayOutput() { fds[3].fd = -1 }
        if fds[3].fd >= 0 && ready & Int16(POLLOUT) != 0 { terminal.flushInput() }
        if fds[4].revents != 0 { terminal.relayInput() }
    }

    private func forward(_ number: Int32) {
        guard pid > 0 else { return }  // never kill(-1, …): the run's pid is unknown
        if let terminal {
            forward(number, through: terminal)
            return
        }
        let group = runGroup
        if number == SIGTSTP {
            // Ctrl-Z: the run stops, then this client stops as a shell expects; `fg` continues both. The run's group
            // is its holder's session's, so the kernel ignores TSTP's default stop there (an orphaned process
            // group): a handler for TSTP still runs, and STOP does the stopping.
            kill(-group, SIGTSTP)
            kill(-group, SIGSTOP)
            jinn_stop_self()
            return
        }
        if group <= 0 || kill(-group, number) != 0 { kill(pid, number) }
    }

    /// The run's process group as it is now: its holder's, or its own once it left it (-1 once it is gone).
    private var runGroup: pid_t {
        let group = getpgid(pid)
        return group > 1 && group != getpgrp() ? group : -1
    }

    /// The terminal's holder of a run with a terminal: the leader of the run's session, which passes signals on to
    /// the run's foreground group (the run's own pid once it is gone).
    private var terminalHolder: pid_t {
        let session = getsid(pid)
        return session > 1 && session != getsid(0) ? session : pid
    }

    /// With a terminal of its own the run's holder passes signals on to the run's foreground group; the terminal's
    /// own signals (Ctrl-C, Ctrl-Z, a resize) reach it through its line discipline.
    private func forward(_ number: Int32, through terminal: RunTerminal) {
        switch number {
        case SIGWINCH:
            terminal.resized()
        case SIGTSTP:
            // The run stopped (its holder says so with TSTP), or someone stops this client: the run stops with it.
            kill(terminalHolder, SIGTSTP)
            terminal.stop(with: SIGTSTP)
        case SIGCONT:
            terminal.enter()
            kill(terminalHolder, SIGCONT)
        default:
            kill(terminalHolder, number)
        }
    }

    /// Makes sure nothing keeps running when the client gives up on a run.
    private func terminate() {
        if terminal != nil {
            kill(terminalHolder, SIGTERM)
        } else {
            forward(SIGTERM)
        }
    }
}
