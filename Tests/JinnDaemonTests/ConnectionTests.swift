import CJinn
import Foundation
import Jinn
@testable import JinnDaemon
import JinnDaemonCore
import JinnWire
import Testing

/// A connection served on a thread of its own, as the daemon serves one, with a client on the other end of a
/// socket pair and scripted zygotes behind it.
struct ConnectionTests {
    /// Starts serving the daemon's end; returns the client's end and a flag raised when the connection is done.
    /// A client's run request on a new connection, as far as the (scripted) zygote's submission.
    private struct StartedRun {
        var parts: DaemonParts
        var client: FrameSocket
        var done: Flag
        var run: SleepingProcess
        var zygote: ScriptedZygoteProcess
        var submission: ScriptedZygoteProcess.Submission
    }

    private func startRun() throws -> StartedRun {
        let parts = DaemonParts()
        let (client, done) = connect(parts)
        let run = try SleepingProcess()
        let claim = try Claim()
        try sendRun(client, claim: claim)
        let zygote = try #require(eventually { parts.maker.all.first })
        let submission = try #require(eventually { zygote.submissions.first })
        return StartedRun(parts: parts, client: client, done: done, run: run, zygote: zygote, submission: submission)
    }

    /// A client's claim on its run: a pipe holding one byte, which the daemon takes unless the client does.
    private struct Claim {
        let readFD: Int32

        init() throws {
            var fds: [Int32] = [-1, -1]
            precondition(jinn_pipe(&fds) == 0)
            var byte: UInt8 = 1
            precondition(write(fds[1], &byte, 1) == 1)
            close(fds[1])
            _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
            readFD = fds[0]
        }

        func takeBack() -> Bool {
            var byte: UInt8 = 0
            return read(readFD, &byte, 1) == 1
        }
    }

    /// The client's half of a run's handshake up to its streams.
    private func sendRun(_ client: FrameSocket, _ request: RunRequest = Fixtures.request(), claim: Claim) throws {
        try client.send(ClientRequest(kind: .run, identity: DaemonParts.identity, body: request.value).value)
        #expect(try client.receive().map(DaemonMessage.init) == .ready)
        try client.send(RunDescriptors.streamsMessage([0, 1, 2, -1]), passing: [0, 1, 2, claim.readFD])
    }

    private func connect(_ parts: DaemonParts) -> (FrameSocket, Flag) {
        var fds: [Int32] = [-1, -1]
        precondition(jinn_socketpair(&fds) == 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fds[1], SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let done = Flag()
        let connection = parts.connection(fds[0])
        Thread {
            connection.serve()
            done.raise()
        }.start()
        return (FrameSocket(fd: fds[1]), done)
    }

    private func exchange(_ parts: DaemonParts, _ request: ClientRequest) throws -> DaemonMessage? {
        let (client, done) = connect(parts)
        try client.send(request.value)
        defer { #expect(done.wait()) }
        return try client.receive().map(DaemonMessage.init)
    }

    @Test func aClientOfAnotherBuildIsToldTheDaemonsIdentity() throws {
        let parts = DaemonParts()
        #expect(try exchange(parts, ClientRequest(kind: .status, identity: "jinn 0.0.1"))
                == .versionMismatch(identity: DaemonParts.identity, pid: Int(getpid())))
        #expect(try exchange(parts, ClientRequest(kind: .status, version: 99, identity: DaemonParts.identity))
                == .versionMismatch(identity: DaemonParts.identity, pid: Int(getpid())))
        #expect(parts.log.contains("a client of another build (jinn 0.0.1, protocol \(DaemonProtocol.version))"))
    }

    @Test func whatIsNotARequestIsAProtocolError() throws {
        let parts = DaemonParts()
        let (client, done) = connect(parts)
        try client.send(.list([1, 2, 3]))
        guard case .error(let code, _)? = try client.receive().map(DaemonMessage.init) else {
            Issue.record("no error")
            return
        }
        #expect(code == "protocol")
        #expect(done.wait())
        #expect(parts.log.contains("dropped a connection from pid \(getpid())"))
    }

    @Test func aClientThatConnectsAndLeavesGetsNothing() throws {
        let parts = DaemonParts()
        let (client, done) = connect(parts)
        client.close()
        #expect(done.wait())
        #expect(parts.log.all.isEmpty)
    }

    @Test func administrativeRequestsAreAnswered() throws {
        let parts = DaemonParts()
        let answer = try exchange(parts, ClientRequest(kind: .status, identity: DaemonParts.identity))
        guard case .reply(let status)? = answer else {
            Issue.record("no status")
            return
        }
        #expect(status["identity"] == .string(DaemonParts.identity))
        let sessions = try exchange(parts, ClientRequest(kind: .sessions, identity: DaemonParts.identity))
        #expect(sessions == .reply(.list([])))
    }

    @Test func aRunWithoutItsStreamsAndClaimIsRefused() throws {
        let parts = DaemonParts()
        let (client, done) = connect(parts)
        try client.send(ClientRequest(kind: .run, identity: DaemonParts.identity, body: Fixtures.request().value).value)
        #expect(try client.receive().map(DaemonMessage.init) == .ready)
        try client.send(RunDescriptors.streamsMessage([0, 1, 2]), passing: [0, 1, 2])
        #expect(try client.receive().map(DaemonMessage.init)
                == .error(code: "protocol", message: Connection.malformedStreams))
        #expect(done.wait())
        #expect(parts.maker.all.first?.submissions.isEmpty ?? true)
    }

    @Test func aRunWhoseStreamsCarryFewerDescriptorsThanNumbersIsRefused() throws {
        let parts = DaemonParts()
        let (client, done) = connect(parts)
        let claim = try Claim()
        try client.send(ClientRequest(kind: .run, identity: DaemonParts.identity, body: Fixtures.request().value).value)
        #expect(try client.receive().map(DaemonMessage.init) == .ready)
        try client.send(RunDescriptors.streamsMessage([0, 1, 2, 5, -1]), passing: [0, 1, 2, claim.readFD])
        #expect(try client.receive().map(DaemonMessage.init)
                == .error(code: "protocol", message: "a run's streams must carry one descriptor for each of their numbers"))
        #expect(done.wait())
        #expect(parts.maker.all.first?.submissions.isEmpty ?? true)
    }

    @Test func aRunsDescriptorsReachItsZygoteWithTheirNumbersAndWithoutTheClaim() throws {
        let parts = DaemonParts()
        let (client, done) = connect(parts)
        let claim = try Claim()
        try client.send(ClientRequest(kind: .run, identity: DaemonParts.identity, body: Fixtures.request().value).value)
        #expect(try client.receive().map(DaemonMessage.init) == .ready)
        try client.send(RunDescriptors.streamsMessage([0, 1, 2, -1, 7, -2]), passing: [0, 1, 2, claim.readFD, 1, 2])
        let zygote = try #require(eventually { parts.maker.all.first })
        let submission = try #require(eventually { zygote.submissions.first })
        #expect(submission.request.descriptorNumbers == [0, 1, 2, 7, -2])
        #expect(submission.descriptors == 5)
        // The daemon took the claim's byte.
        #expect(!claim.takeBack())
        client.close()
        #expect(done.wait())
    }

    @Test func aRunWhoseClientTookItsClaimBackIsNeverStarted() throws {
        let parts = DaemonParts()
        let (client, done) = connect(parts)
        let claim = try Claim()
        // The client gave up (its wait ran out) and took its claim back before the daemon handed the run over.
        #expect(claim.takeBack())
        try sendRun(client, claim: claim)
        #expect(done.wait())
        #expect(parts.maker.all.first?.submissions.isEmpty ?? true)
        #expect(parts.pool.sessions.isEmpty)
        #expect(parts.log.contains("not started: its client gave it up"))
    }

    @Test func aRunWhoseClientLeftBeforeItsHandOverIsNeverStarted() throws {
        let parts = DaemonParts()
        let (client, done) = connect(parts)
        let claim = try Claim()
        try sendRun(client, claim: claim)
        client.close()
        #expect(done.wait())
        // Either the daemon took the claim before the client left (the run started and was terminated with it)
        // or it found the client gone and started nothing; the claim tells which.
        let submissions = parts.maker.all.first?.submissions.count ?? 0
        #expect(submissions == (claim.takeBack() ? 0 : 1))
    }

    @Test func aRequestWithBackReferencesIsRefused() throws {
        let parts = DaemonParts()
        let (client, done) = connect(parts)
        // ("status", 2, identity, None), whose identity refers back to the kind: marshal's reference form.
        var payload: [UInt8] = [0x29 | 0x80, 4]
        payload += [0x7A | 0x80, 6] + Array("status".utf8)
        payload += [0x69] + withUnsafeBytes(of: Int32(DaemonProtocol.version).littleEndian, Array.init)
        payload += [0x72] + withUnsafeBytes(of: UInt32(1).littleEndian, Array.init)
        payload += [0x4E]
        try client.sendRaw(Frame.header(forPayloadSize: payload.count) + payload)
        guard case .error("protocol", let message)? = try client.receive().map(DaemonMessage.init) else {
            Issue.record("no protocol error")
            return
        }
        #expect(message.contains("back-references are not accepted"))
        #expect(done.wait())
    }

    @Test func aRunReachesItsZygoteAndItsProgressReachesTheClient() throws {
        let started = try startRun()
        var numbered = Fixtures.request()
        numbered.descriptorNumbers = [0, 1, 2]
        #expect(started.submission.request == numbered && started.submission.descriptors == 3)
        started.zygote.send(.started(runID: started.submission.runID, pid: started.run.pid))
        started.zygote.send(.ended(runID: started.submission.runID, .exited(4)))
        #expect(try started.client.receive().map(DaemonMessage.init)
            == .started(runID: started.submission.runID, pid: Int(started.run.pid)))
        #expect(try started.client.receive().map(DaemonMessage.init) == .exited(4))
        // The client leaves once it has the end; the run is over, so nothing is terminated.
        started.client.close()
        #expect(started.done.wait())
        #expect(started.run.isRunning)
    }

    @Test func aClientThatGoesAwayTakesItsRunAlong() throws {
        let started = try startRun()
        started.zygote.send(.started(runID: started.submission.runID, pid: started.run.pid))
        #expect(try started.client.receive().map(DaemonMessage.init)
            == .started(runID: started.submission.runID, pid: Int(started.run.pid)))
        started.client.close()
        #expect(started.done.wait())
        #expect(started.run.waitForSignal() == SIGTERM)
        #expect(started.parts.log.contains("run \(started.submission.runID): the client went away; terminating the run"))
    }

    @Test func aRunThatCannotBeServedIsAnsweredWithTheReason() throws {
        let parts = DaemonParts(configuration: Fixtures.configuration())
        let (client, done) = connect(parts)
        let request = Fixtures.request(environment: ["PATH=/nonexistent"])
        try client.send(ClientRequest(kind: .run, identity: DaemonParts.identity, body: request.value).value)
        #expect(try client.receive().map(DaemonMessage.init) == .ready)
        #expect(try client.receive().map(DaemonMessage.init)
                == .error(code: "interpreter", message: "no python3 on the caller's PATH (/nonexistent)"))
        #expect(done.wait())
    }
}
