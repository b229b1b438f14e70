import JinnSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the client and the daemon both check before they run an interpreter from a setting: that it exists, is an
/// executable file, and is named as a Python interpreter is (`python`, `python3`, `python3.12`, …, or a link to
/// one). A script must never be handed to `/bin/sh` because a setting named it.
///
/// ```swift
/// if let problem = InterpreterCheck.problem(with: "/bin/sh") { print(problem) }   // is not a Python interpreter
/// ```
package enum InterpreterCheck {
    /// Why `path` cannot be the interpreter, or nil when it can.
    package static func problem(with path: String) -> String? {
        guard let info = FileSystem.status(path) else {
            return "\(path) does not exist (\(Errno.current))"
        }
        guard !FileSystem.isDirectory(info.st_mode), access(path, X_OK) == 0 else {
            return "\(path) is not an executable file"
        }
        guard isPythonName(path) || resolved(path).map(isPythonName) == true else {
            return "\(path) is not a Python interpreter"
        }
        return nil
    }

    /// The message for a setting that names an unusable interpreter: what is wrong, where it was set, the fix.
    package static func message(_ problem: String, origin: String?) -> String {
        let place = origin.map { " (set by \($0))" } ?? ""
        let fix = origin.map { _ in "; point it to a Python executable, such as the output of "
            + "`python3 -c 'import sys; print(sys.executable)'`, or remove it to use python3 from PATH" } ?? ""
        return "the interpreter \(problem)\(place)\(fix)"
    }

    /// Whether a path's last component reads as a Python interpreter's name.
    static func isPythonName(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard name.hasPrefix("python") else { return false }
        // python, python3, python3.12, python3.13t, python3.12d: a version and at most one ABI letter.
        let rest = name.dropFirst("python".count)
        let version = rest.prefix { $0.isNumber || $0 == "." }
        return rest.dropFirst(version.count).count <= 1
    }

    private static func resolved(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
