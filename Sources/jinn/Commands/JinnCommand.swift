import ArgumentParser

/// The `jinn` command line.
@main
struct JinnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jinn",
        abstract: "Summon Python from Swift and the shell: fast, isolated, without linking libpython.",
        subcommands: [ExecCommand.self, PythonCommand.self, EnvCommand.self, REPLCommand.self]
    )
}
