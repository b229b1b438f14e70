/// What a ``Zygote`` tells its owner.
///
/// A zygote never reaches into its owner otherwise: the owner launches, feeds, retires and stops it, and learns
/// through this delegate when it is gone.
package protocol ZygoteDelegate: AnyObject, Sendable {
    /// The zygote's process has ended (or never started) and every run it served has been told: the owner lets it
    /// go. Called once, on the thread that saw the end, with no lock of the zygote held.
    func zygoteDidEnd(_ zygote: Zygote)
}
