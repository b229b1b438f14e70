import CJinn
import Foundation
import JinnDaemonCore
import JinnWire
import Synchronization

/// One script run: what was asked, the client connection that waits for it, and its process once started.
///
/// The connection's thread owns the client socket and closes it; the zygote that serves the run writes the run's
/// progress to it (from the thread that reads the zygote's messages) under the session's lock, and never after the
/// connection gave it up.
package final class Session: Sendable {
    /// The session id (hex).
    package let id: String
    /// What is run, for listings: the script path, `-c` or `-m MODULE`.
    package let script: String
    /// The arguments after the script.
    package let arguments: [String]
    /// The caller's working directory.
    package let workingDirectory: String
    /// When the request arrived (wall clock, for listings).
    package let startDate: Date
    /// When the request arrived (monotonic, for durations).
    package let received: ContinuousClock.Instant
    /// Whether the run has a terminal of its own: its reported pid is then its terminal's holder, whose one child
    /// is the run.
    package let hasTerminal: Bool

    private let state: Mutex<State>

    private struct State {
        var clientFD: Int32
        var pid: Int32?
        var ended = false
        var clientGone = false
    }

    /// A session for a run that has not reached a zygote yet; its progress is written to `clientFD`, which the
    /// caller owns and keeps open until ``clientClosed()``.
    package init(id: String, request: RunRequest, clientFD: Int32) {
        self.id = id
        let text = { (bytes: [UInt8]) in String(decoding: bytes, as: UTF8.self) }
        switch request.entry {
        case .script(let path): script = text(path)
        case .code: script = "-c"
        case .module(let name): script = "-m " + text(name)
        }
        arguments = request.arguments.dropFirst().map(text)
        workingDirectory = text(request.workingDirectory)
        hasTerminal = request.terminal != nil
        startDate = Date()
        received = .now
        state = Mutex(State(clientFD: clientFD))
    }

    /// The run's pid (the leader of its process group), once started.
    package var pid: Int32? { state.withLock { $0.pid } }

    /// Whether the run has ended.
    package var hasEnded: Bool { state.withLock { $0.ended } }

    /// The names a `jinn kill` selector may use for this session: the script path and its last component.
    package var scriptNames: [String] {
        let base = script.split(separator: "/").last.map(String.init) ?? script
        return [script, base]
    }

    /// Records the pid and tells the client. Returns true when the client is already gone (the caller then
    /// terminates the run).
    func started(pid: Int32) -> Bool {
        state.withLock { state in
            state.pid = pid
            send(.started(runID: id, pid: Int(pid)), to: state.clientFD)
            return state.clientGone
        }
    }

    /// Records the end and tells the client.
    func ended(_ message: DaemonMessage) {
        state.withLock { state in
            state.ended = true
            send(message, to: state.clientFD)
        }
    }

    /// The client closed its connection: from now on nothing is written to it. Returns the run's pid when it is
    /// still running (the caller terminates it).
    func clientClosed() -> Int32? {
        state.withLock { state in
            state.clientGone = true
            state.clientFD = -1
            return state.ended ? nil : state.pid
        }
    }

    /// Sends a signal to the run's process group; false when it has not started (within a moment) or has ended.
    @discardableResult
    package func signal(_ number: Int32) -> Bool {
        // A zygote tells the start of a run it has just handed over only a little later (with its end, if it is
        // short): a run that has no pid yet gets a moment to have one.
        let deadline = ContinuousClock.now + Self.startWait
        while true {
            let sent = state.withLock { state -> Bool? in
                if state.ended { return false }
                guard let pid = state.pid else { return nil }
                // The run's group: its holder's, or its own once it left it.
                let group = getpgid(pid)
                return group > 1 && group != getpgrp() && kill(-group, number) == 0 || kill(pid, number) == 0
            }
            if let sent { return sent }
            guard ContinuousClock.now < deadline else { return false }
            usleep(1000)
        }
    }

    /// How long ``signal(_:)`` waits for the start of a run that has none yet.
    static let startWait: Duration = .milliseconds(100)

    /// Ends a run whose client is gone: SIGTERM to its process group, then SIGKILL two seconds later if it is still
    /// running.
    func terminate() {
        guard signal(SIGTERM) else { return }
        Task.detached { [self] in
            try? await Task.sleep(for: .seconds(2))
            signal(SIGKILL)
        }
    }

    /// A new random session id: 16 hex digits.
    static func makeID() -> String {
        let text = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    private func send(_ message: DaemonMessage, to fd: Int32) {
        guard fd >= 0 else { return }
        var frame: [UInt8] = []
        Frame.append(payload: Marshal.encode(message.value), to: &frame)
        frame.withUnsafeBytes { _ = jinn_write_all(fd, $0.baseAddress, $0.count) }
    }
}
