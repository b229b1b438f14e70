#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JinnSystem
import Testing

/// Owned descriptors close exactly once; released ones stay open. Serialized: whether a number is open is a fact
/// of the whole process.
@Suite(.serialized)
struct DescriptorTests {
    private func isOpen(_ fd: Int32) -> Bool { fcntl(fd, F_GETFD) >= 0 }

    @Test func anOwnedDescriptorClosesWhenItEndsAndNotWhenReleased() throws {
        let readFD: Int32
        let writeFD: Int32
        do {
            let pipe = try OwnedDescriptor.makePipe()
            readFD = pipe.readEnd.rawValue
            writeFD = pipe.writeEnd.release()
            #expect(isOpen(readFD) && isOpen(writeFD))
            #expect(fcntl(readFD, F_GETFD) & FD_CLOEXEC != 0 && fcntl(writeFD, F_GETFD) & FD_CLOEXEC != 0)
        }
        #expect(!isOpen(readFD))
        #expect(isOpen(writeFD))
        closeDescriptor(writeFD)
    }

    @Test func closingReportsAndClosesOnce() throws {
        let pair = try OwnedDescriptor.makeSocketPair()
        let first = pair.first.rawValue
        try pair.first.close()
        #expect(!isOpen(first))
        let second = pair.second.release()
        #expect(isOpen(second))
        closeDescriptor(second)
    }

    @Test func descriptorsOwnedTogetherCloseTogether() throws {
        var owned = OwnedDescriptors()
        for _ in 0..<2 {
            let pipe = try OwnedDescriptor.makePipe()
            owned.append(pipe.readEnd)
            owned.append(pipe.writeEnd)
        }
        let numbers = owned.rawValues
        #expect(numbers.count == 4 && numbers.allSatisfy(isOpen))
        var kept = OwnedDescriptors(taking: [owned.releaseAll()[0]])
        let emptied = owned.isEmpty
        #expect(emptied)
        for fd in numbers.dropFirst() { closeDescriptor(fd) }
        #expect(isOpen(numbers[0]))
        kept.closeAll()
        #expect(!isOpen(numbers[0]))
    }

    @Test func interruptedCallsAreRetriedAndOtherFailuresKeepTheirErrno() {
        var calls = 0
        let result: Int32 = retryingInterrupts {
            calls += 1
            if calls < 3 {
                errno = EINTR
                return -1
            }
            return 7
        }
        #expect(result == 7 && calls == 3)
        let failed: Int = retryingInterrupts {
            errno = EAGAIN
            return -1
        }
        #expect(failed == -1 && errno == EAGAIN)
    }

    @Test func errnoTextNamesTheNumber() {
        #expect(Errno(rawValue: ENOENT).description == "No such file or directory (errno \(ENOENT))")
        errno = EACCES
        #expect(Errno.current == Errno(rawValue: EACCES))
    }

    @Test func cStringArraysAreNullTerminatedCopies() {
        let strings: [[UInt8]] = [Array("python3".utf8), [], [0xFF, 0x41]]
        let array = CStringArray(strings)
        array.withUnsafePointer { pointer in
            #expect(String(cString: pointer[0]!) == "python3")
            #expect(strlen(pointer[1]!) == 0)
            #expect(strlen(pointer[2]!) == 2 && UInt8(bitPattern: pointer[2]![0]) == 0xFF)
            #expect(pointer[3] == nil)
        }
        let text = CStringArray(["a=1", "b"])
        #expect(text.count == 2)
        text.withUnsafePointer { #expect(String(cString: $0[0]!) == "a=1" && $0[2] == nil) }
    }
}
