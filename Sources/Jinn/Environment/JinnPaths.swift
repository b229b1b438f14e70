import Foundation

/// Where Jinn keeps its files by default, following the XDG base directory conventions.
///
/// | what | first of |
/// |---|---|
/// | named environments | `JINN_ENVIRONMENTS_DIR`, `$XDG_DATA_HOME/jinn/environments`, `~/.local/share/jinn/environments` |
/// | cache (tools such as uv) | `JINN_CACHE_DIR`, `$XDG_CACHE_HOME/jinn`, `~/.cache/jinn` |
public enum JinnPaths {
    /// The directory that holds named environments.
    public static func environmentsDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        if let explicit = environment["JINN_ENVIRONMENTS_DIR"], !explicit.isEmpty { return explicit }
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return data + "/jinn/environments" }
        return home(environment) + "/.local/share/jinn/environments"
    }

    /// Jinn's cache directory.
    public static func cacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["JINN_CACHE_DIR"], !explicit.isEmpty { return explicit }
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") { return cache + "/jinn" }
        return home(environment) + "/.cache/jinn"
    }

    private static func home(_ environment: [String: String]) -> String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        return NSHomeDirectory()
    }
}
