import CJinn
import JinnWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a process in one state (a zygote's, which is the daemon's) can take on another (a caller's): it can
/// lower any limit and raise its niceness, but without privilege it cannot raise a hard limit or lower its
/// niceness. A run that could not be given its caller's state must not be claimed: the client runs the interpreter
/// directly, as `python3` would have run.
///
/// ```swift
/// if let reason = ProcessStateGrant.refusal(of: callerState, by: .current(), privileges: .current()) {
///     print(reason)
/// }
/// ```
package enum ProcessStateGrant {
    /// What a process may do beyond what anyone may: raise a hard limit, lower its niceness.
    package struct Privileges: Sendable, Equatable {
        package var raisesLimits: Bool
        package var lowersNiceness: Bool

        package init(raisesLimits: Bool, lowersNiceness: Bool) {
            self.raisesLimits = raisesLimits
            self.lowersNiceness = lowersNiceness
        }

        /// None: an ordinary user's.
        package static let none = Privileges(raisesLimits: false, lowersNiceness: false)

        /// This process's: its effective capabilities (root in a container may lack some).
        package static func current() -> Privileges {
            var capabilities: UInt64 = 0
            guard jinn_effective_capabilities(&capabilities) == 0 else { return .none }
            return Privileges(raisesLimits: capabilities & (1 << 24) != 0,  // CAP_SYS_RESOURCE
                              lowersNiceness: capabilities & (1 << 23) != 0)  // CAP_SYS_NICE
        }
    }

    /// Why `wanted` cannot be granted by a process in state `own` with `privileges`, or nil when it can.
    package static func refusal(of wanted: ProcessState, by own: ProcessState, privileges: Privileges) -> String? {
        for limit in wanted.limits where !privileges.raisesLimits {
            guard let ours = own.limits.first(where: { $0.resource == limit.resource }) else { continue }
            if exceeds(limit.hard, ours.hard) {
                return "the caller's hard limit \(name(limit.resource)) (\(describe(limit.hard))) is above the "
                    + "daemon's (\(describe(ours.hard))); restart the daemon from a shell with that limit "
                    + "(jinn daemon stop)"
            }
        }
        if let wantedNiceness = wanted.niceness, let ownNiceness = own.niceness, wantedNiceness < ownNiceness,
            !privileges.lowersNiceness
        {
            // RLIMIT_NICE lets an unprivileged process lower its niceness down to 20 - the limit.
            let floor = own.limits.first { $0.resource == resourceNice }.map { 20 - ($0.soft ?? 40) } ?? 20
            if wantedNiceness < floor {
                return "the caller's niceness \(wantedNiceness) is below the daemon's (\(ownNiceness)); restart the "
                    + "daemon from a shell with that niceness (jinn daemon stop)"
            }
        }
        return nil
    }

    /// Whether a daemon started in state `wanted` could grant everything one in state `own` can: every hard limit
    /// of `wanted` is at least `own`'s and its niceness is no higher. A daemon that refuses such a caller is
    /// replaced by one the caller starts; since each replacement only widens what the daemon grants, two callers
    /// never take turns replacing each other's daemon.
    package static func widens(_ own: ProcessState, to wanted: ProcessState) -> Bool {
        for limit in own.limits {
            guard let theirs = wanted.limits.first(where: { $0.resource == limit.resource }) else { return false }
            if exceeds(limit.hard, theirs.hard) { return false }
        }
        if let ownNiceness = own.niceness, let wantedNiceness = wanted.niceness, wantedNiceness > ownNiceness {
            return false
        }
        return true
    }

    /// Why a caller in `state` must run an interpreter of its own, or nil: a finite limit on address space or data
    /// (`ulimit -v`, `ulimit -d`) counts every mapping, and a warm run's mappings include what its zygote
    /// preloaded, so under such a limit a script would fail sooner than under python3 (or, finding a library
    /// loaded already, later).
    package static func mappingLimit(in state: ProcessState) -> String? {
        guard let limit = state.limits.first(where: {
            ($0.resource == resourceAddressSpace || $0.resource == resourceData) && $0.soft != nil
        }) else { return nil }
        return "\(name(limit.resource)) is limited (\(describe(limit.soft))), and a warm run's mappings would "
            + "include its zygote's"
    }

    /// Why a run cannot be given a descriptor numbered `number` by a process in state `own` (its hard descriptor
    /// limit is not above it), or nil when it can.
    package static func refusal(ofDescriptor number: Int, by own: ProcessState, privileges: Privileges) -> String? {
        guard !privileges.raisesLimits, let hard = own.limits.first(where: { $0.resource == resourceFiles })?.hard,
            number >= hard
        else { return nil }
        return "the caller's descriptor \(number) is beyond the daemon's descriptor limit (\(hard)); restart the "
            + "daemon from a shell with a higher 'ulimit -Hn' (jinn daemon stop)"
    }

    private static let resourceNice = 13
    private static let resourceFiles = 7
    private static let resourceData = 2
    #if os(Linux)
    private static let resourceAddressSpace = 9
    #else
    private static let resourceAddressSpace = 5
    #endif

    /// Whether limit `a` is above limit `b`, nil being unlimited.
    private static func exceeds(_ a: Int?, _ b: Int?) -> Bool {
        guard let b else { return false }
        guard let a else { return true }
        return a > b
    }

    private static func describe(_ limit: Int?) -> String {
        limit.map(String.init) ?? "unlimited"
    }

    private static func name(_ resource: Int) -> String {
        let names = ["RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
                     "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
                     "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME"]
        #if os(Linux)
        if resource < names.count { return names[resource] }
        #endif
        return "resource \(resource)"
    }
}
