@testable import JinnDaemon
import Testing

struct IdlePolicyTests {
    @Test func anIdleDaemonExitsAfterItsTimeout() {
        let policy = IdlePolicy(idleTimeout: 5)
        #expect(policy.reason(connections: 0, runs: 0, idle: .seconds(5)) == "idle for 5 s")
        #expect(policy.reason(connections: 0, runs: 0, idle: .seconds(60)) == "idle for 5 s")
        #expect(policy.reason(connections: 0, runs: 0, idle: .milliseconds(4_999)) == nil)
    }

    @Test func anOpenConnectionOrARunningScriptKeepsItServing() {
        let policy = IdlePolicy(idleTimeout: 5)
        #expect(policy.reason(connections: 1, runs: 0, idle: .seconds(60)) == nil)
        #expect(policy.reason(connections: 0, runs: 1, idle: .seconds(60)) == nil)
    }

    @Test func aTimeoutOfZeroKeepsItForever() {
        #expect(IdlePolicy(idleTimeout: 0).reason(connections: 0, runs: 0, idle: .seconds(1_000_000)) == nil)
    }
}
