import ArgumentParser

/// The `jinn` command line's administrative side (script runs take the fast path in `main.swift`).
struct JinnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jinn",
        abstract: "Summon Python from Swift and the shell: fast, isolated, without linking libpython.",
        discussion: """
            Run a script through the warm daemon exactly as python3 would run it:
              jinn script.py [args…]      jinn -c CODE [args…]      jinn -m MODULE [args…]
              jinn run script.py [args…]  (for a script named like a subcommand)
            Options before the script: python3's own, and --verbose (diagnostics on stderr), --no-daemon (run \
            python3 directly), --config PATH, --with REQUIREMENT and --requirements FILE (repeatable: the run gets \
            an environment of its own with them, and with the script's PEP 723 `# /// script` dependencies).
            """,
        subcommands: [ExecCommand.self, PythonCommand.self, EnvCommand.self, REPLCommand.self, DaemonCommand.self,
                      SessionsCommand.self, KillCommand.self, LockCommand.self, DepsCommand.self, CacheCommand.self,
                      NewCommand.self, PrepareRunCommand.self]
    )
}
