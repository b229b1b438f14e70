import Foundation

/// What `/proc/PID/stat` says of a process: its state letter and its parent.
struct ProcessStatus {
    /// `R`, `S`, `T`, `Z`, …
    var state: String
    var parent: pid_t

    /// The status of `pid`, or nil when it is gone.
    init?(_ pid: pid_t) {
        // The command name in parentheses may hold spaces: the fields that matter follow the last ')'.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let fields = stat.split(separator: ")").last?.split(separator: " "), fields.count > 1,
            let parent = pid_t(fields[1])
        else { return nil }
        state = String(fields[0])
        self.parent = parent
    }

    /// The pids of every process now on the machine.
    static var allPIDs: [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
    }
}
