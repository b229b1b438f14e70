import Glibc
import JinnDaemonCore
import JinnWire
import Testing

struct ProcessStateGrantTests {
    func state(niceness: Int, limits: [ProcessState.Limit]) -> ProcessState {
        ProcessState(ignoredSignals: [], blockedSignals: [], niceness: niceness, affinity: [0], limits: limits)
    }

    @Test func lowerLimitsAndAHigherNicenessAreGranted() {
        let own = state(niceness: 0, limits: [.init(resource: 7, soft: 1024, hard: 4096), .init(resource: 9, soft: nil, hard: nil)])
        let wanted = state(niceness: 5, limits: [.init(resource: 7, soft: 64, hard: 64), .init(resource: 9, soft: 1 << 30, hard: 1 << 30)])
        #expect(ProcessStateGrant.refusal(of: wanted, by: own, privileges: .none) == nil)
    }

    @Test func aHardLimitAboveTheDaemonsIsRefusedWithoutPrivilegeAndNamed() {
        let own = state(niceness: 0, limits: [.init(resource: 7, soft: 512, hard: 512)])
        let wanted = state(niceness: 0, limits: [.init(resource: 7, soft: 512, hard: 4096)])
        let reason = ProcessStateGrant.refusal(of: wanted, by: own, privileges: .none)
        #expect(reason == "the caller's hard limit RLIMIT_NOFILE (4096) is above the daemon's (512); restart the "
                + "daemon from a shell with that limit (jinn daemon stop)")
        let unlimited = state(niceness: 0, limits: [.init(resource: 7, soft: 512, hard: nil)])
        #expect(ProcessStateGrant.refusal(of: unlimited, by: own, privileges: .none)?.contains("(unlimited)") == true)
        #expect(ProcessStateGrant.refusal(of: wanted, by: own,
                                          privileges: .init(raisesLimits: true, lowersNiceness: false)) == nil)
    }

    @Test func aNicenessBelowTheDaemonsIsRefusedUnlessPrivilegeOrRlimitNiceAllowIt() {
        let own = state(niceness: 10, limits: [.init(resource: 13, soft: 0, hard: 0)])
        let wanted = state(niceness: 0, limits: [])
        #expect(ProcessStateGrant.refusal(of: wanted, by: own, privileges: .none)
                == "the caller's niceness 0 is below the daemon's (10); restart the daemon from a shell with that "
                + "niceness (jinn daemon stop)")
        #expect(ProcessStateGrant.refusal(of: wanted, by: own,
                                          privileges: .init(raisesLimits: false, lowersNiceness: true)) == nil)
        // RLIMIT_NICE 20 lets an unprivileged process go down to niceness 0.
        let allowed = state(niceness: 10, limits: [.init(resource: 13, soft: 20, hard: 20)])
        #expect(ProcessStateGrant.refusal(of: wanted, by: allowed, privileges: .none) == nil)
    }

    @Test func aCallerWidensTheDaemonOnlyWhenNoLimitIsLowerAndItsNicenessNoHigher() {
        let own = state(niceness: 10, limits: [.init(resource: 7, soft: 512, hard: 512), .init(resource: 1, soft: nil, hard: nil)])
        let wider = state(niceness: 0, limits: [.init(resource: 7, soft: 512, hard: 1024), .init(resource: 1, soft: 1, hard: nil)])
        #expect(ProcessStateGrant.widens(own, to: wider))
        #expect(ProcessStateGrant.widens(own, to: own))
        // Wider in one limit and narrower in another: a daemon it started would refuse the daemon's own caller.
        let crossed = state(niceness: 0, limits: [.init(resource: 7, soft: 1024, hard: 1024), .init(resource: 1, soft: 1, hard: 1)])
        #expect(!ProcessStateGrant.widens(own, to: crossed))
        #expect(!ProcessStateGrant.widens(own, to: state(niceness: 11, limits: wider.limits)))
        #expect(!ProcessStateGrant.widens(own, to: state(niceness: 0, limits: [.init(resource: 7, soft: 512, hard: 1024)])))
    }

    @Test func aFiniteLimitOnAddressSpaceOrDataIsNamed() {
        #expect(ProcessStateGrant.mappingLimit(in: state(niceness: 0, limits: [.init(resource: 9, soft: nil, hard: nil),
                                                                                .init(resource: 2, soft: nil, hard: nil)])) == nil)
        #expect(ProcessStateGrant.mappingLimit(in: state(niceness: 0, limits: [.init(resource: 9, soft: 1 << 30, hard: nil)]))
                == "RLIMIT_AS is limited (1073741824), and a warm run's mappings would include its zygote's")
        #expect(ProcessStateGrant.mappingLimit(in: state(niceness: 0, limits: [.init(resource: 2, soft: 4096, hard: 8192)]))?
                    .hasPrefix("RLIMIT_DATA is limited (4096)") == true)
    }

    @Test func thisProcessReadsItsOwnState() {
        let current = ProcessState.current()
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let nofile = current.limits.first { $0.resource == Int(RLIMIT_NOFILE.rawValue) }
        #expect(nofile?.soft == (limit.rlim_cur == rlim_t.max ? nil : Int(limit.rlim_cur)))
        // The main thread's: a test runs on a pool thread, which may have been reniced for its quality of service.
        #expect(current.niceness == Int(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(getpid()))))
        #expect(current.affinity?.isEmpty == false)
        // Ignoring a signal shows, as the forwarding handlers the client installs rely on.
        let previous = signal(SIGUSR2, SIG_IGN)
        #expect(ProcessState.current().ignores(SIGUSR2))
        signal(SIGUSR2, previous)
        #expect(!ProcessState.current().ignores(SIGUSR2))
    }
}

struct DescriptorGrantTests {
    @Test func aDescriptorBeyondTheDaemonsHardLimitIsRefused() {
        let own = ProcessState(ignoredSignals: [], blockedSignals: [], niceness: 0, affinity: nil,
                               limits: [.init(resource: 7, soft: 64, hard: 128)])
        #expect(ProcessStateGrant.refusal(ofDescriptor: 127, by: own, privileges: .none) == nil)
        #expect(ProcessStateGrant.refusal(ofDescriptor: 128, by: own, privileges: .none)
                == "the caller's descriptor 128 is beyond the daemon's descriptor limit (128); restart the daemon "
                + "from a shell with a higher 'ulimit -Hn' (jinn daemon stop)")
        #expect(ProcessStateGrant.refusal(ofDescriptor: 128, by: own,
                                          privileges: .init(raisesLimits: true, lowersNiceness: false)) == nil)
    }
}
