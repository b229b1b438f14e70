/// The descriptors a client hands to a run, and the numbers that say what each one is.
///
/// The second message of a run's handshake is `("streams", [n0, n1, …])`, with one number per descriptor attached
/// to it, in order. A number of zero or more is the descriptor number the run gets (the caller's standard streams,
/// a `3>&1`, a `<(…)`); a negative number is one of Jinn's ``Role``s. The daemon keeps the claim and forwards the
/// others to the zygote with their numbers (``RunRequest/descriptorNumbers``); the run installs them.
///
/// ```swift
/// let message = RunDescriptors.streamsMessage([0, 1, 2, RunDescriptors.Role.claim.rawValue])
/// ```
public enum RunDescriptors {
    /// What a descriptor of Jinn's (a negative number) is for.
    public enum Role: Int, Sendable, CaseIterable {
        /// The run's claim (see `DaemonProtocol`): the daemon keeps it.
        case claim = -1
        /// The write end of the status pipe, on which the run writes how it ended, two bytes `(kind, value)`: `(0,
        /// status)` for an exit, `(1, signal)` for a death by signal.
        case status = -2
        /// The caller's working directory, opened as a directory (`O_PATH` where there is one).
        case workingDirectory = -3
    }

    /// The most descriptors one run's `streams` message may carry, roles included: what every receiver along the
    /// way takes in one message. A client with more open descriptors runs the interpreter itself.
    public static let maximumCount = 64

    /// The `streams` message for descriptors with these numbers.
    public static func streamsMessage(_ numbers: [Int]) -> PythonValue {
        .tuple(["streams", .list(numbers.map(PythonValue.int))])
    }

    /// The numbers a `streams` message gives, checked: each an int that is a descriptor number or a role, none
    /// twice, exactly one claim, and at most ``maximumCount``; nil for anything else.
    public static func numbers(inStreams value: PythonValue?) -> [Int]? {
        guard case .tuple(let fields)? = value, fields.count == 2, fields[0] == "streams",
            case .list(let items) = fields[1], items.count <= maximumCount
        else { return nil }
        var numbers: [Int] = []
        numbers.reserveCapacity(items.count)
        for item in items {
            guard case .int(let number) = item, number >= Role.workingDirectory.rawValue, number < 1 << 30,
                !numbers.contains(number)
            else { return nil }
            numbers.append(number)
        }
        return numbers.contains(Role.claim.rawValue) ? numbers : nil
    }
}
