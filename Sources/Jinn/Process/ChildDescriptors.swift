import CJinn
import Foundation
import JinnSystem

/// The descriptors a child is started with (its standard streams and, for Python, the channel as descriptors 3
/// and 4, or a socket as descriptor 3), together with the parent's ends.
///
/// Every descriptor is close-on-exec from birth, so no other child started meanwhile inherits one. The value owns
/// them all: the child's ends are closed right after the spawn (``ChildProcess/spawn(_:with:)``), since a dead
/// child must read as end-of-file, never as a hang; each parent end is owned here until it is taken
/// (`standardOutput.take()`) by what reads or writes it; whatever is left when the value ends is closed then, so a
/// spawn that fails or a start that throws leaks nothing.
struct ChildDescriptors: ~Copyable {
    /// `mapping[i]` becomes descriptor `i` in the child; -1 is `/dev/null`. Numbers 0, 1 and 2 of this process are
    /// lent for `.inherit`; every other entry is one of ``childEnds``.
    private(set) var mapping: [Int32] = []
    /// The parent's end of the channel it reads.
    var channelRead: OwnedDescriptor?
    /// The parent's end of the channel it writes; nil for `.socket`, whose one socket is ``channelRead``.
    var channelWrite: OwnedDescriptor?
    /// The parent's write end of the child's standard input.
    var standardInput: OwnedDescriptor?
    /// The parent's read end of the child's standard output.
    var standardOutput: OwnedDescriptor?
    /// The parent's read end of the child's standard error.
    var standardError: OwnedDescriptor?
    private var childEnds = OwnedDescriptors()

    init(input: LaunchOptions.Input, output: LaunchOptions.Output, error: LaunchOptions.Output,
         channel: ChannelTransport?) throws(JinnError)
    {
        switch input {
        case .pipe:
            let pipe = try Self.makePipe()
            standardInput = consume pipe.writeEnd
            pass(pipe.readEnd)
        case .inherit: mapping.append(0)
        case .null: mapping.append(-1)
        }
        standardOutput = try addOutput(output, inherited: 1)
        standardError = try addOutput(error, inherited: 2)
        switch channel {
        case .pipes:
            // Pipes wake the other side about twice as fast as a stream socket: they carry every call.
            let toChild = try Self.makePipe()
            channelWrite = consume toChild.writeEnd
            pass(toChild.readEnd)
            let fromChild = try Self.makePipe()
            channelRead = consume fromChild.readEnd
            pass(fromChild.writeEnd)
        case .socket:
            let pair: SocketPairEnds
            do {
                pair = try OwnedDescriptor.makeSocketPair()
            } catch {
                throw .system(operation: "socketpair", errno: error.rawValue)
            }
            // Large messages cross in fewer, larger writes (the kernel caps the size at net.core.wmem_max;
            // memory is only taken while bytes are in flight).
            var bufferSize: Int32 = 4 << 20
            for fd in [pair.first.rawValue, pair.second.rawValue] {
                _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufferSize, socklen_t(MemoryLayout<Int32>.size))
            }
            channelRead = consume pair.first
            pass(pair.second)
        case nil:
            break
        }
    }

    /// Gives the child `descriptor` as its next descriptor and returns its number there; `descriptor` is closed in
    /// this process right after the spawn (or when the spawn fails).
    @discardableResult
    mutating func pass(_ descriptor: consuming OwnedDescriptor) -> Int32 {
        mapping.append(descriptor.rawValue)
        childEnds.append(descriptor)
        return Int32(mapping.count - 1)
    }

    /// Closes the child's ends; called right after the spawn, which gave the child copies of its own.
    mutating func closeChildEnds() {
        childEnds.closeAll()
    }

    private mutating func addOutput(_ output: LaunchOptions.Output, inherited: Int32) throws(JinnError)
        -> OwnedDescriptor?
    {
        switch output {
        case .pipe:
            let pipe = try Self.makePipe()
            pass(pipe.writeEnd)
            return pipe.readEnd
        case .inherit:
            mapping.append(inherited)
            return nil
        case .null:
            mapping.append(-1)
            return nil
        }
    }

    private static func makePipe() throws(JinnError) -> PipeEnds {
        do {
            return try OwnedDescriptor.makePipe()
        } catch {
            throw .system(operation: "pipe", errno: error.rawValue)
        }
    }
}

extension ChildProcess {
    /// Starts a child with `descriptors.mapping`, then closes the child's ends in this process; the parent's ends
    /// stay in `descriptors` for the caller to take. `configuration.descriptors` is replaced by the mapping.
    static func spawn(_ configuration: Configuration, with descriptors: inout ChildDescriptors)
        async throws(JinnError) -> ChildProcess
    {
        var configuration = configuration
        configuration.descriptors = descriptors.mapping
        // The child's ends go whether the spawn worked or not; on failure the parent's ends go with `descriptors`.
        defer { descriptors.closeChildEnds() }
        return try await spawn(configuration)
    }
}
