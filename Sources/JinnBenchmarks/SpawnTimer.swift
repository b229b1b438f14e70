#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Jinn
import JinnSystem

/// One command timed by ``timeCommand(_:_:environment:in:)``: how long it took, how it ended, what it printed.
struct TimedCommand {
    var seconds: Double
    /// The raw `waitpid` status.
    var status: Int32
    var output: [UInt8]
    var errors: [UInt8]

    var succeeded: Bool { status & 0x7f == 0 && (status >> 8) & 0xff == 0 }
}

/// Runs a command and times it from just before `posix_spawn` to just after `waitpid` returns, with its standard
/// streams in files opened beforehand and read afterwards.
///
/// A command that takes a few milliseconds is measured as its user's shell would see it: no thread, pipe or task of
/// the benchmark's own lies on the measured path (reading the output through pipes on threads of its own adds
/// about 0.9 ms to each process on a small machine, which hides the difference between a 4 ms run and a 3 ms run).
/// Both contenders of a row go through this same path. Standard input is `/dev/null`; the benchmark's own
/// descriptors are all close-on-exec, so the command gets only its three streams.
func timeCommand(_ executable: String, _ arguments: [String], environment: [String: String],
                 in directory: String) throws(JinnError) -> TimedCommand
{
    let outputPath = directory + "/timed-output", errorsPath = directory + "/timed-errors"
    let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
    let output = open(outputPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    let errors = open(errorsPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    defer { for fd in [input, output, errors] where fd >= 0 { close(fd) } }
    guard input >= 0, output >= 0, errors >= 0 else {
        throw JinnError.protocolViolation("cannot open the timed command's streams in \(directory): errno \(errno)")
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, input, 0)
    posix_spawn_file_actions_adddup2(&actions, output, 1)
    posix_spawn_file_actions_adddup2(&actions, errors, 2)
    let argv = CStringArray([executable] + arguments)
    let envp = CStringArray(environment.map { "\($0.key)=\($0.value)" })

    let start = ContinuousClock.now
    var pid = pid_t()
    let spawned = argv.withUnsafePointer { argv in
        envp.withUnsafePointer { envp in posix_spawn(&pid, executable, &actions, nil, argv, envp) }
    }
    guard spawned == 0 else {
        throw JinnError.protocolViolation("cannot start \(executable): \(String(cString: strerror(spawned)))")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let elapsed = ContinuousClock.now - start

    return TimedCommand(
        seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
        status: status, output: contents(of: output), errors: contents(of: errors))
}

private func contents(of fd: Int32) -> [UInt8] {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    var offset: off_t = 0
    while true {
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
        if count <= 0 { return bytes }
        bytes += buffer[0..<count]
        offset += off_t(count)
    }
}
