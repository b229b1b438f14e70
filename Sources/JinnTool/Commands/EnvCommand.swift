import ArgumentParser
import Foundation
import Jinn

/// `jinn env …`: Python environments.
struct EnvCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Create, fill, freeze and restore Python environments.",
        discussion: """
            An ENV is a name (an environment under the root of named environments) or a path (anything with a \
            '/', such as ./venv). The root is --root, else $JINN_ENVIRONMENTS_DIR, else \
            $XDG_DATA_HOME/jinn/environments, else ~/.local/share/jinn/environments. The installer is uv when it \
            is on PATH or in Jinn's cache (installed there with pip on first use), else venv and pip; \
            --installer or $JINN_INSTALLER chooses.
            """,
        subcommands: [
            EnvCreateCommand.self, EnvInstallCommand.self, EnvFreezeCommand.self, EnvRestoreCommand.self,
            EnvListCommand.self, EnvShowCommand.self, EnvRemoveCommand.self,
        ]
    )
}
