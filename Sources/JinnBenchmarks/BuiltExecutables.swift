import Foundation

/// The `jinn` client built beside this benchmark, with its `jinn-tool`: without the tool, `jinn` cannot start a
/// daemon and runs every script on the interpreter, which would measure the wrong thing.
///
/// - Returns: the path of `jinn`, or nil after saying what to build.
func builtJinnBesideBenchmark() -> String? {
    let directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for name in ["jinn", "jinn-tool"]
    where !FileManager.default.isExecutableFile(atPath: directory.appending(path: name).path) {
        print("no \(name) executable beside this benchmark in \(directory.path); build both first "
              + "(swift build -c release --static-swift-stdlib)")
        return nil
    }
    return directory.appending(path: "jinn").path
}
