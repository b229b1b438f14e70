#if canImport(Darwin)
import Darwin

extension FileSystem {
    /// The real path of this process's executable, symbolic links resolved; nil when it cannot be found.
    package static func executablePath() -> String? {
        var size: UInt32 = 0
        _ = _NSGetExecutablePath(nil, &size)
        var buffer = [CChar](repeating: 0, count: Int(size) + 1)
        guard _NSGetExecutablePath(&buffer, &size) == 0, let resolved = realpath(buffer, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// When the file `status` describes was last modified.
    package static func modificationTime(_ status: stat) -> timespec { status.st_mtimespec }
}
#endif
