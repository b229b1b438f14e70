import JinnDaemonCore
import JinnSystem

/// How much memory a process holds in RAM, from `/proc/PID/status`.
enum ResidentMemory {
    /// The resident size of a process in bytes, or 0 when it cannot be read (no such process, not Linux).
    static func bytes(of pid: Int32) -> Int {
        guard let bytes = FileSystem.readFile("/proc/\(pid)/status") else { return 0 }
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return kilobytes * 1024
        }
        return 0
    }
}
