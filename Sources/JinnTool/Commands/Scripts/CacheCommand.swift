import ArgumentParser
import Foundation
import Jinn
import JinnDaemonCore

/// `jinn cache list | prune | clear`: the environments of scripts in Jinn's cache.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "List or remove the environments made for scripts.",
        subcommands: [CacheListCommand.self, CachePruneCommand.self, CacheClearCommand.self]
    )
}

struct CacheListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the script environments.")

    func run() async throws {
        let environments = ScriptEnvironmentMaker.cache.environments()
        guard !environments.isEmpty else {
            FileHandle.standardError.write(Data("jinn: no script environments in \(ScriptEnvironmentMaker.cache.root)\n".utf8))
            return
        }
        let now = Date()
        for environment in environments.reversed() {
            let used = environment.lastUsed.map { Self.age(now.timeIntervalSince($0)) } ?? "never used"
            let what = environment.requirements.isEmpty ? "no packages" : environment.requirements.joined(separator: ", ")
            print("\(environment.path)  python \(environment.pythonVersion)  \(used)  "
                + (environment.locked ? "locked: " : "") + what)
        }
    }

    static func age(_ seconds: TimeInterval) -> String {
        if seconds < 60 { return "used just now" }
        if seconds < 3600 { return "used \(Int(seconds / 60)) min ago" }
        if seconds < 86400 { return "used \(Int(seconds / 3600)) h ago" }
        return "used \(Int(seconds / 86400)) days ago"
    }
}

struct CachePruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove the script environments no run has used for a while (never one in use).")

    @Option(name: .long, help: "Days without use (default: environment_max_age in the configuration, else 30).")
    var olderThan: Int?

    func validate() throws {
        if let olderThan, olderThan < 0 { throw ValidationError("--older-than takes 0 or more days") }
    }

    func run() async throws {
        let days = olderThan ?? (try? Configuration.resolve().environmentMaxAge) ?? 30
        report(await ScriptEnvironmentMaker.cache.remove(unusedFor: .seconds(days * 24 * 3600)))
    }
}

struct CacheClearCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear", abstract: "Remove every script environment that is not in use.")

    func run() async throws {
        report(await ScriptEnvironmentMaker.cache.remove(unusedFor: nil))
    }
}

private func report(_ removal: ScriptEnvironmentCache.Removal) {
    for path in removal.removed { print("removed \(path)") }
    for path in removal.inUse {
        FileHandle.standardError.write(Data("jinn: kept \(path): it is in use\n".utf8))
    }
    if removal.removed.isEmpty && removal.inUse.isEmpty {
        FileHandle.standardError.write(Data("jinn: nothing to remove\n".utf8))
    }
}
