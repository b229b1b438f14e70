/// A zygote as it stands at one moment, for `jinn daemon status`.
package struct ZygoteSummary: Sendable, Equatable {
    /// Its pid; nil while it is being launched.
    package var pid: Int32?
    /// Which runs it serves.
    package var key: ZygoteKey
    /// What it reported once it had preloaded; nil before it is ready.
    package var facts: ZygoteFacts?
    /// Whether it was retired.
    package var retired: Bool
    /// The runs it has served to their end.
    package var runs: Int
    /// The runs it is serving.
    package var active: Int
    /// Why it preloads each module (see ``Zygote/preloadReasons``).
    package var preloadReasons: [String: String] = [:]

    /// Whether it has preloaded and serves runs.
    package var isReady: Bool { facts != nil }
}
