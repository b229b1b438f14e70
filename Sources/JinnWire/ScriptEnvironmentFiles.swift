/// The names, inside Jinn's cache, that the `jinn` client, `jinn-tool` and the library agree on for the
/// environments of scripts (PEP 723 blocks, `--with`, `--requirements`).
///
/// ```
/// <cache>/environments/<key>/              one environment per interpreter and requirement set
/// <cache>/environments/<key>/jinn-used     touched by every run, and share-locked while a run uses it
/// <cache>/environments/<key>/jinn-environment.json   what the environment was made for
/// <cache>/scripts/<hash>                   a warm run's index: inputs of a run → its environment
/// ```
public enum ScriptEnvironmentFiles {
    /// The directory of script environments, under the cache.
    public static let environments = "environments"
    /// The directory of the run index, under the cache.
    public static let index = "scripts"
    /// The file in an environment whose modification time is its last use, and whose shared `flock` marks it in
    /// use; removing the environment takes the exclusive lock first.
    public static let usage = "jinn-used"
    /// The file in an environment that describes what it was made for (JSON).
    public static let description = "jinn-environment.json"
}
