/// The modules a zygote imports before its runs, in two kinds that its runs see differently.
///
/// The configured ones (`preload`, a script's `[tool.jinn]` table) are the user's choice: a run finds them, and all
/// they imported, in `sys.modules`, as the user asked. The learned ones (from the runs' imports, or an
/// environment's dependencies) are the daemon's guess: a run sees one only once it imports it, and then with all
/// that its import brought in, as under python3 (`jinn/_modules.py`).
///
/// ```swift
/// let preload = ZygotePreload(configured: ["numpy"], learned: ["requests"])
/// preload.all  // ["numpy", "requests"], the order the zygote imports them in
/// ```
package struct ZygotePreload: Sendable, Equatable {
    /// The modules the configuration names, imported first.
    package var configured: [String]
    /// The modules the daemon learned, imported after the configured ones.
    package var learned: [String]

    /// Creates a preload list.
    package init(configured: [String] = [], learned: [String] = []) {
        self.configured = configured
        self.learned = learned
    }

    /// Every module, configured ones first.
    package var all: [String] { configured + learned }
}
