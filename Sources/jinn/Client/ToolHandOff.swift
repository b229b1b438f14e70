import JinnDaemonCore
import JinnSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces this process with `jinn-tool`, which serves every command line that is not a script run
/// (`jinn daemon status`, `jinn env create …`, `jinn --help`, …) with the same arguments.
enum ToolHandOff {
    /// Runs `jinn-tool` with `arguments`, the ones after this program's name.
    static func exec(_ arguments: [[UInt8]]) -> Never {
        guard let tool = Executables.sibling(Executables.tool) else {
            printError("jinn: cannot find this program's own executable, so not \(Executables.tool) either")
            exit(127)
        }
        let argv = CStringArray([Array(tool.utf8)] + arguments)
        argv.withUnsafePointer { _ = execv(tool, $0) }
        printError("jinn: cannot run \(tool): \(Errno.current); install it beside \(Executables.client) "
                   + "(swift build builds both)")
        exit(127)
    }
}
