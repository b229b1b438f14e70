/// What a ``Zygote`` tells its owner.
///
/// A zygote never reaches into its owner otherwise: the owner launches, feeds, retires and stops it, and learns
/// through this delegate when it is gone.
package protocol ZygoteDelegate: AnyObject, Sendable {
    /// The zygote's process has ended (or never started) and every run it served has been told: the owner lets it
    /// go. Called once, on the thread that saw the end, with no lock of the zygote held.
    func zygoteDidEnd(_ zygote: Zygote)

    /// One of the zygote's runs ended having imported these top-level libraries (beyond the zygote's own).
    func zygote(_ zygote: Zygote, reportedImports modules: [String])
}

extension ZygoteDelegate {
    /// An owner that does not learn preloads ignores the reports.
    package func zygote(_ zygote: Zygote, reportedImports modules: [String]) {}
}
