import JinnWire
import Testing

struct RunDescriptorsTests {
    @Test func aStreamsMessageGivesBackItsNumbers() throws {
        let numbers = [0, 1, 2, 63, -1, -2, -3]
        let message = try Marshal.decode(Marshal.encode(RunDescriptors.streamsMessage(numbers)))
        #expect(RunDescriptors.numbers(inStreams: message) == numbers)
    }

    @Test func aStreamsMessageWithoutExactlyOneClaimOrWithAStrangeNumberIsRefused() {
        #expect(RunDescriptors.numbers(inStreams: RunDescriptors.streamsMessage([0, 1, 2])) == nil)
        #expect(RunDescriptors.numbers(inStreams: RunDescriptors.streamsMessage([0, -1, -1])) == nil)
        #expect(RunDescriptors.numbers(inStreams: RunDescriptors.streamsMessage([0, 0, -1])) == nil)
        #expect(RunDescriptors.numbers(inStreams: RunDescriptors.streamsMessage([0, -4, -1])) == nil)
        #expect(RunDescriptors.numbers(inStreams: .tuple(["streams"])) == nil)
        #expect(RunDescriptors.numbers(inStreams: .tuple(["streams", .list(["0", -1])])) == nil)
        #expect(RunDescriptors.numbers(inStreams: nil) == nil)
        let tooMany = Array(0..<RunDescriptors.maximumCount) + [-1]
        #expect(RunDescriptors.numbers(inStreams: RunDescriptors.streamsMessage(tooMany)) == nil)
    }

    @Test func aRunRequestCarriesItsDescriptorNumbersAsFds() throws {
        let request = RunRequest(entry: .code(Array("pass".utf8)), arguments: [Array("-c".utf8)],
                                 workingDirectory: Array("/".utf8), environment: [], umask: 0o22,
                                 descriptorNumbers: [0, 2, 5, -2, -3])
        #expect(request.value["fds"] == .list([0, 2, 5, -2, -3]))
        #expect(try RunRequest(Marshal.decode(Marshal.encode(request.value))) == request)
        guard case .dict(let items) = request.value else { Issue.record("not a dict"); return }
        #expect(throws: WireError.self) {
            try RunRequest(.dict(items.filter { $0.key != "fds" } + [.init("fds", .list(["0"]))]))
        }
    }
}
