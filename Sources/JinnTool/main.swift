// `jinn-tool`: the `jinn` command's subcommands and the daemon. The `jinn` client runs this executable in its own
// place for anything that is not a script run, so that the client itself stays small.
import Dispatch
import Foundation

// ArgumentParser runs async commands on the main actor: the main thread must serve the main queue.
Task { @MainActor in
    await JinnCommand.main()
    exit(0)
}
dispatchMain()
