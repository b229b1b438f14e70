import CJinn
import JinnWire

extension ProcessState {
    /// This process's own state, as an exec'd interpreter would inherit it. A few dozen system calls, no
    /// allocation beyond the arrays: it is on every run's start-up path.
    package static func current() -> ProcessState {
        var ignored: UInt64 = 0
        var blocked: UInt64 = 0
        _ = jinn_signal_state(&ignored, &blocked)
        var niceness: Int32 = 0
        let hasNiceness = jinn_niceness(&niceness) == 0
        var words = [UInt64](repeating: 0, count: 16)
        let used = Int(words.withUnsafeMutableBufferPointer { jinn_cpu_affinity($0.baseAddress, Int32($0.count)) })
        var soft = [Int64](repeating: -2, count: 32)
        var hard = [Int64](repeating: -2, count: 32)
        let count = Int(jinn_resource_limits(&soft, &hard, Int32(soft.count)))
        var limits: [Limit] = []
        limits.reserveCapacity(count)
        for resource in 0..<count where soft[resource] != -2 {
            limits.append(Limit(resource: resource, soft: soft[resource] < 0 ? nil : Int(soft[resource]),
                                hard: hard[resource] < 0 ? nil : Int(hard[resource])))
        }
        return ProcessState(ignoredSignals: Self.numbers(ignored), blockedSignals: Self.numbers(blocked),
                            niceness: hasNiceness ? Int(niceness) : nil,
                            affinity: used < 0 ? nil : Self.cpus(words.prefix(used)), limits: limits)
    }

    /// Whether signal `number` is among the ignored ones.
    package func ignores(_ number: Int32) -> Bool {
        ignoredSignals.contains(Int(number))
    }

    private static func numbers(_ bits: UInt64) -> [Int] {
        (1...64).filter { bits & (1 << UInt64($0 - 1)) != 0 }
    }

    private static func cpus(_ words: ArraySlice<UInt64>) -> [Int] {
        var cpus: [Int] = []
        for (index, word) in words.enumerated() where word != 0 {
            for bit in 0..<64 where word & (1 << UInt64(bit)) != 0 { cpus.append(index * 64 + bit) }
        }
        return cpus
    }
}
