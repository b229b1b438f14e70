import CJinn
import Foundation
import JinnSystem

/// Makes sure that a tool's whole process group dies with this process, not just the tool: `python -m venv` starts
/// `ensurepip`, which starts pip, and the parent-death signal reaches only the tool itself.
///
/// A small watcher (`/bin/sh`) reads a pipe whose only write end this process holds. When the tool has ended,
/// ``finish()`` writes `done` and the watcher leaves; when this process dies first (SIGKILL, SIGTERM) the pipe
/// reaches end of file and the watcher kills the tool's group.
struct ToolGroupGuard: ~Copyable {
    /// The pipe's write end (close-on-exec, so no other child holds it), or -1 without a watcher.
    private let writeFD: Int32

    /// Watches the process group `group` (the tool leads it); without a watcher when none can be started.
    init(group: pid_t) async {
        var fds: [Int32] = [-1, -1]
        guard jinn_pipe(&fds) == 0 else {
            writeFD = -1
            return
        }
        var configuration = ChildProcess.Configuration(
            executable: "/bin/sh",
            arguments: ["-c", "read line; [ \"$line\" = done ] || kill -KILL -\(group) 2>/dev/null"],
            environment: ["PATH": "/usr/bin:/bin"], workingDirectory: "/",
            descriptors: [fds[0], -1, -1])
        // The watcher must outlive this process to do its job, in a group of its own so that it is not killed
        // along with the group it watches.
        configuration.dieWithParent = false
        configuration.newProcessGroup = true
        let started = (try? await ChildProcess.spawn(configuration)) != nil
        _ = closeDescriptor(fds[0])
        if !started { _ = closeDescriptor(fds[1]) }
        writeFD = started ? fds[1] : -1
    }

    deinit {
        if writeFD >= 0 { _ = closeDescriptor(writeFD) }
    }

    /// The tool has ended: the watcher leaves without killing anything.
    func finish() {
        guard writeFD >= 0 else { return }
        let line = Array("done\n".utf8)
        line.withUnsafeBytes { _ = jinn_write_all(writeFD, $0.baseAddress, $0.count) }
    }
}
