#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file system calls shared by the library, the daemon and the client, without Foundation.
package enum FileSystem {
    /// `stat` (symbolic links followed), or nil when it fails, with `errno` set.
    package static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    /// `lstat` (a symbolic link described itself), or nil when it fails, with `errno` set.
    package static func linkStatus(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    /// Whether a mode describes a directory.
    package static func isDirectory(_ mode: mode_t) -> Bool { mode & S_IFMT == S_IFDIR }

    /// A whole file, or nil when it cannot be read (`errno` set); a file larger than `limit` is cut a little after
    /// `limit` bytes.
    package static func readFile(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
        let fd = retryingInterrupts { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return nil }
        let file = OwnedDescriptor(taking: fd)
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while result.count <= limit {
            let count = chunk.withUnsafeMutableBytes { buffer in
                retryingInterrupts { read(file.rawValue, buffer.baseAddress, buffer.count) }
            }
            guard count >= 0 else { return nil }
            if count == 0 { return result }
            result += chunk[0..<count]
        }
        return result
    }

    /// The current directory as bytes (it need not be UTF-8), or nil.
    package static func currentDirectory() -> [UInt8]? {
        var size = 4096
        while size <= 1 << 20 {
            var buffer = [CChar](repeating: 0, count: size)
            if getcwd(&buffer, size) != nil {
                return buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            }
            guard errno == ERANGE else { return nil }
            size *= 4
        }
        return nil
    }
}
