import JinnSystem

/// The two executables Jinn installs side by side.
///
/// `jinn` is the small client on every script run's start-up path: it links neither Foundation nor
/// ArgumentParser. Everything else (the administrative subcommands, the daemon itself) lives in `jinn-tool`, which
/// `jinn` runs in its own place.
package enum Executables {
    /// The client's file name.
    package static let client = "jinn"
    /// The file name of the subcommands' and the daemon's executable.
    package static let tool = "jinn-tool"

    /// The path of `name` in the directory of this process's own executable.
    package static func sibling(_ name: String) -> String? {
        directory.map { $0 + name }
    }

    /// The directory of this process's executable, with its final `/`; read once.
    private static let directory: String? = {
        guard let own = FileSystem.executablePath(), let slash = own.lastIndex(of: "/") else { return nil }
        return String(own[...slash])
    }()
}
