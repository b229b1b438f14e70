import CJinn
import Foundation

/// The descriptors a child is started with (its standard streams and, for Python, the channel as descriptors 3
/// and 4, or a socket as descriptor 3), together with the parent's ends.
///
/// Every descriptor is close-on-exec from birth, so no other child started meanwhile inherits one. After the
/// spawn the parent closes the child's ends at once: a dead child must read as end-of-file, never as a hang.
struct ChildDescriptors {
    /// `mapping[i]` becomes descriptor `i` in the child; -1 is `/dev/null`.
    private(set) var mapping: [Int32] = []
    /// The parent's end of the channel it reads, or -1.
    private(set) var channelRead: Int32 = -1
    /// The parent's end of the channel it writes (the same socket as ``channelRead`` for `.socket`), or -1.
    private(set) var channelWrite: Int32 = -1
    /// The parent's write end of the child's standard input, or -1.
    private(set) var standardInput: Int32 = -1
    /// The parent's read end of the child's standard output, or -1.
    private(set) var standardOutput: Int32 = -1
    /// The parent's read end of the child's standard error, or -1.
    private(set) var standardError: Int32 = -1
    private var childEnds: [Int32] = []

    init(input: LaunchOptions.Input, output: LaunchOptions.Output, error: LaunchOptions.Output,
         channel: ChannelTransport?) throws(JinnError)
    {
        do {
            switch input {
            case .pipe:
                let (read, write) = try Self.makePair(socket: false)
                standardInput = write
                childEnds.append(read)
                mapping.append(read)
            case .inherit: mapping.append(0)
            case .null: mapping.append(-1)
            }
            standardOutput = try addOutput(output, inherited: 1)
            standardError = try addOutput(error, inherited: 2)
            switch channel {
            case .pipes:
                // Pipes wake the other side about twice as fast as a stream socket: they carry every call.
                let (childReads, parentWrites) = try Self.makePair(socket: false)
                channelWrite = parentWrites
                childEnds.append(childReads)
                mapping.append(childReads)
                let (parentReads, childWrites) = try Self.makePair(socket: false)
                channelRead = parentReads
                childEnds.append(childWrites)
                mapping.append(childWrites)
            case .socket:
                let (parent, child) = try Self.makePair(socket: true)
                // Large messages cross in fewer, larger writes (the kernel caps the size at net.core.wmem_max;
                // memory is only taken while bytes are in flight).
                var bufferSize: Int32 = 4 << 20
                for fd in [parent, child] {
                    _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufferSize, socklen_t(MemoryLayout<Int32>.size))
                }
                (channelRead, channelWrite) = (parent, parent)
                childEnds.append(child)
                mapping.append(child)
            case nil:
                break
            }
        } catch {
            closeAll()
            throw error
        }
    }

    /// Gives the child `fd` as its next descriptor and returns its number there; `fd` is closed in this process
    /// once the child has it (or the spawn failed).
    mutating func pass(_ fd: Int32) -> Int32 {
        childEnds.append(fd)
        mapping.append(fd)
        return Int32(mapping.count - 1)
    }

    /// Closes the child's ends; call right after the spawn.
    mutating func closeChildEnds() {
        for fd in childEnds { close(fd) }
        childEnds.removeAll()
    }

    /// Closes everything; call when the spawn failed.
    mutating func closeAll() {
        closeChildEnds()
        if channelWrite != channelRead && channelWrite >= 0 { close(channelWrite) }
        for fd in [channelRead, standardInput, standardOutput, standardError] where fd >= 0 { close(fd) }
        (channelRead, channelWrite, standardInput, standardOutput, standardError) = (-1, -1, -1, -1, -1)
    }

    private mutating func addOutput(_ output: LaunchOptions.Output, inherited: Int32) throws(JinnError) -> Int32 {
        switch output {
        case .pipe:
            let (read, write) = try Self.makePair(socket: false)
            childEnds.append(write)
            mapping.append(write)
            return read
        case .inherit:
            mapping.append(inherited)
            return -1
        case .null:
            mapping.append(-1)
            return -1
        }
    }

    private static func makePair(socket: Bool) throws(JinnError) -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        let error = socket ? jinn_socketpair(&fds) : jinn_pipe(&fds)
        guard error == 0 else { throw .system(operation: socket ? "socketpair" : "pipe", errno: error) }
        return (fds[0], fds[1])
    }
}

extension ChildProcess {
    /// Starts a child with `descriptors.mapping`, then closes the child's ends in this process; if the start
    /// fails, closes every descriptor instead. `configuration.descriptors` is replaced by the mapping.
    static func spawn(_ configuration: Configuration, with descriptors: inout ChildDescriptors)
        async throws(JinnError) -> ChildProcess
    {
        var configuration = configuration
        configuration.descriptors = descriptors.mapping
        let child: ChildProcess
        do {
            child = try await spawn(configuration)
        } catch {
            descriptors.closeAll()
            throw error
        }
        descriptors.closeChildEnds()
        return child
    }
}
