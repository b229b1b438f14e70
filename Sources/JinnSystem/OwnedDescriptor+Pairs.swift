import CJinn

/// The two ends of a pipe, each owned. Frozen, so that code in other modules can take the ends apart.
@frozen package struct PipeEnds: ~Copyable, Sendable {
    /// The end that reads what ``writeEnd`` writes.
    package var readEnd: OwnedDescriptor
    /// The end that writes.
    package var writeEnd: OwnedDescriptor
}

/// The two ends of a connected `AF_UNIX` stream socket pair, each owned; either end reads what the other writes.
/// Frozen, so that code in other modules can take the ends apart.
@frozen package struct SocketPairEnds: ~Copyable, Sendable {
    package var first: OwnedDescriptor
    package var second: OwnedDescriptor
}

extension OwnedDescriptor {
    /// A pipe whose ends are close-on-exec from birth, so that no child started meanwhile by another thread
    /// inherits one (a child that must have an end gets it by number, in its descriptor mapping).
    package static func makePipe() throws(Errno) -> PipeEnds {
        let fds = try makePair(jinn_pipe)
        return PipeEnds(readEnd: OwnedDescriptor(taking: fds[0]), writeEnd: OwnedDescriptor(taking: fds[1]))
    }

    /// A socket pair whose ends are close-on-exec from birth (see ``makePipe()``).
    package static func makeSocketPair() throws(Errno) -> SocketPairEnds {
        let fds = try makePair(jinn_socketpair)
        return SocketPairEnds(first: OwnedDescriptor(taking: fds[0]), second: OwnedDescriptor(taking: fds[1]))
    }

    /// The two descriptors a C call that returns 0 or an errno stores.
    private static func makePair(_ make: (UnsafeMutablePointer<Int32>) -> Int32) throws(Errno) -> [Int32] {
        var fds: [Int32] = [-1, -1]
        let error = make(&fds)
        guard error == 0 else { throw Errno(rawValue: error) }
        return fds
    }
}
