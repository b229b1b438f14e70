import JinnDaemonCore
import JinnWire
import JinnSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file whose change makes a zygote stale (the interpreter, a site-packages directory, a preloaded module's
/// file), as the zygote saw it when it had preloaded.
///
/// A file that was absent then has a size of -1; it makes the zygote stale once it appears.
package struct WatchedFile: Sendable, Equatable {
    /// The file's path.
    package var path: String
    /// Its modification time in nanoseconds since 1970.
    package var modificationTime: Int
    /// Its size in bytes, or -1 when it was absent.
    package var size: Int
    /// Its inode number.
    package var inode: Int

    /// A file as the zygote describes it.
    package init(path: String, modificationTime: Int, size: Int, inode: Int) {
        self.path = path
        self.modificationTime = modificationTime
        self.size = size
        self.inode = inode
    }

    /// Reads `(path, mtime_ns, size, inode)` as `jinn/_zygote.py` sends it; nil when the item is not one.
    package init?(_ value: PythonValue) {
        guard let path = value[0]?.stringValue, let modificationTime = value[1]?.intValue,
            let size = value[2]?.intValue, let inode = value[3]?.intValue
        else { return nil }
        self.init(path: path, modificationTime: modificationTime, size: size, inode: inode)
    }

    /// The file as the current state of the file system describes it.
    package static func now(_ path: String) -> WatchedFile {
        guard let info = FileSystem.status(path) else {
            return WatchedFile(path: path, modificationTime: 0, size: -1, inode: 0)
        }
        let modified = FileSystem.modificationTime(info)
        let nanoseconds = Int(modified.tv_sec) * 1_000_000_000 + Int(modified.tv_nsec)
        return WatchedFile(path: path, modificationTime: nanoseconds, size: Int(info.st_size), inode: Int(info.st_ino))
    }

    /// How the file differs now from what the zygote saw, or nil when it does not.
    package func change() -> String? {
        let current = Self.now(path)
        if current.size < 0 { return size >= 0 ? "\(path) disappeared" : nil }
        return current == self ? nil : "\(path) changed"
    }
}
