import CJinn
import JinnDaemonCore
import JinnSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The caller's working directory when `getcwd` fails (it was deleted while the caller was in it, or a directory
/// above it cannot be read): a run can still be given it by descriptor, as an exec'd interpreter would simply be in
/// it.
enum WorkingDirectory {
    /// The empty name of a directory that can be opened but has no name, or nil when it cannot be opened either.
    static func unnamed() -> [UInt8]? {
        let fd = jinn_open_working_directory()
        guard fd >= 0 else { return nil }
        closeDescriptor(fd)
        return []
    }

    /// How long finding the real interpreter may take.
    static let resolutionTimeout: Int32 = 10_000

    /// The interpreter that `path` really runs, found from `/` for a caller whose working directory is gone: a
    /// version manager's shim (pyenv's) fails in a directory it cannot enter, while the interpreter runs there as
    /// it would. Ends the process with a message saying what to do when there is none.
    static func interpreterOutside(_ path: String, _ diagnostics: Diagnostics) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = jinn_resolve_interpreter(path, &buffer, buffer.count, resolutionTimeout)
        guard count > 0 else {
            printError("jinn: the working directory no longer exists, and \(path) did not run from / "
                       + "(\(Errno.current)); run jinn from an existing directory, or set 'interpreter' to the "
                       + "interpreter's own path")
            exit(127)
        }
        let found = String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if found != path { diagnostics.note("the working directory no longer exists: \(path) runs \(found)") }
        return found
    }
}
