import JinnDaemonCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces this process with `jinn-tool`, which serves every command line that is not a script run
/// (`jinn daemon status`, `jinn env create …`, `jinn --help`, …) with the same arguments.
enum ToolHandOff {
    static func exec() -> Never {
        guard let tool = Executables.sibling(Executables.tool) else {
            printError("jinn: cannot find this program's own executable, so not \(Executables.tool) either")
            exit(127)
        }
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup(tool)]
        for index in 1..<Int(CommandLine.argc) { argv.append(CommandLine.unsafeArgv[index]) }
        argv.append(nil)
        execv(tool, argv)
        let reason = SystemCalls.describe(errno)
        printError("jinn: cannot run \(tool): \(reason); install it beside \(Executables.client) "
                   + "(swift build builds both)")
        exit(127)
    }
}
