import CJinn
import Foundation
@testable import JinnDaemonCore
import JinnSystem
import JinnWire
import Testing

struct FrameSocketTests {
    private func pair() -> (FrameSocket, FrameSocket) {
        var fds: [Int32] = [-1, -1]
        _ = jinn_socketpair(&fds)
        return (FrameSocket(fd: fds[0]), FrameSocket(fd: fds[1]))
    }

    @Test func messagesAndDescriptorsTravelTogether() throws {
        let (left, right) = pair()
        var pipe: [Int32] = [-1, -1]
        #expect(jinn_pipe(&pipe) == 0)
        try left.send(.tuple(["hello", 1]), passing: [pipe[1]])
        try left.send(.tuple(["second"]))
        #expect(try right.receive() == .tuple(["hello", 1]))
        var received = right.takeReceivedDescriptors()
        let numbers = received.rawValues
        #expect(numbers.count == 1)
        // The received descriptor is the pipe's write end: what it writes comes out of the read end.
        _ = "x".withCString { write(numbers[0], $0, 1) }
        var byte: UInt8 = 0
        #expect(read(pipe[0], &byte, 1) == 1 && byte == UInt8(ascii: "x"))
        #expect(try right.receive() == .tuple(["second"]))
        left.close()
        #expect(try right.receive() == nil)
        received.closeAll()
        for fd in pipe { close(fd) }
    }

    @Test func framesReadTogetherAreBuffered() throws {
        let (left, right) = pair()
        var bytes: [UInt8] = []
        Frame.append(payload: Marshal.encode("one"), to: &bytes)
        Frame.append(payload: Marshal.encode("two"), to: &bytes)
        try left.sendRaw(bytes)
        #expect(try right.receive() == "one")
        #expect(right.hasBufferedFrame)
        #expect(try right.receive() == "two")
        #expect(!right.hasBufferedFrame)
    }

    @Test func aFrameOverTheLimitIsRefused() throws {
        let (left, right) = pair()
        try left.sendRaw(Frame.header(forPayloadSize: DaemonProtocol.maximumMessageSize + 1))
        #expect { try right.receive() } throws: { "\($0)".contains("over the limit") }
    }

    @Test func aTruncatedFrameIsAnError() throws {
        let (left, right) = pair()
        try left.sendRaw(Frame.header(forPayloadSize: 10) + [1, 2, 3])
        left.close()
        #expect { try right.receive() } throws: { "\($0)".contains("in the middle of a message") }
    }

    @Test func aSingleByteIsReceivedWithinItsDeadlineThenTheEnd() throws {
        let (left, right) = pair()
        #expect { try right.receiveByte(until: .now + .milliseconds(20)) } throws: {
            ($0 as? SocketError)?.isTimeout == true
        }
        try left.sendRaw([UInt8(ascii: "r")])
        left.close()
        #expect(try right.receiveByte(until: .now + .seconds(5)) == UInt8(ascii: "r"))
        #expect(try right.receiveByte() == nil)
    }

    @Test func garbageIsAnError() throws {
        let (left, right) = pair()
        try left.sendRaw(Frame.header(forPayloadSize: 3) + [0xff, 0xfe, 0xfd])
        #expect { try right.receive() } throws: { "\($0)".contains("unreadable message") }
    }
}
