import CJinn
import JinnWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The descriptors an exec'd interpreter would have: those the client was started with that are not
/// close-on-exec, each at its number. Taken before the client opens anything, and passed to the run at the same
/// numbers; a standard descriptor that is not among them is closed in the run.
struct InheritedDescriptors {
    /// The numbers, ascending.
    let numbers: [Int32]
    /// How many there are, which is more than ``numbers`` holds when there are too many for a run.
    let count: Int

    /// The most a run can be given besides Jinn's own (the claim, the status pipe, the working directory).
    static let capacity = RunDescriptors.maximumCount - RunDescriptors.Role.allCases.count

    /// Reads them, then keeps each closed standard descriptor's number taken by a close-on-exec `/dev/null`, so
    /// that neither the run nor a direct run's interpreter finds one of the client's own descriptors there, and the
    /// client's diagnostics never land in a socket.
    static func collect() -> InheritedDescriptors {
        var numbers = [Int32](repeating: -1, count: capacity + 1)
        var count = Int(numbers.withUnsafeMutableBufferPointer {
            jinn_inheritable_descriptors($0.baseAddress, Int32($0.count))
        })
        if count < 0 {
            // No listing at all: the standard descriptors that are open, as before.
            numbers = (0...2).filter { fcntl($0, F_GETFD) >= 0 }
            count = numbers.count
        }
        numbers.removeLast(numbers.count - min(count, numbers.count))
        numbers.sort()
        _ = jinn_hold_closed_standard_descriptors()
        return InheritedDescriptors(numbers: numbers, count: count)
    }

    /// True when a run can be given them all in its one `streams` message.
    var fitInOneRun: Bool { count <= Self.capacity }
}
