/// Why a ``Zygote`` did not take a run: it was retired or ended before the run reached it, or its process could
/// not be sent the run. The run can go to a replacement.
package struct ZygoteRefusal: Error, Sendable, CustomStringConvertible {
    /// Why, for the log and the client.
    package var reason: String
    /// Whether the client had given the run up (it must then go nowhere else).
    package var clientGone: Bool

    /// A refusal for this reason.
    package init(_ reason: String, clientGone: Bool = false) {
        self.reason = reason
        self.clientGone = clientGone
    }

    package var description: String { reason }
}
