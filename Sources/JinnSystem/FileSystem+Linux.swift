#if os(Linux)
import Glibc

extension FileSystem {
    /// The real path of this process's executable, symbolic links resolved; nil when `/proc` is not mounted.
    package static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// When the file `status` describes was last modified.
    package static func modificationTime(_ status: stat) -> timespec { status.st_mtim }
}
#endif
