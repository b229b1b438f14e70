import JinnWire
import Testing

struct FrameTests {
    @Test func headerIsLittleEndianLength() {
        var bytes: [UInt8] = []
        Frame.append(payload: [9, 8, 7], to: &bytes)
        #expect(bytes == [3, 0, 0, 0, 9, 8, 7])
        #expect(Frame.payloadSize(header: Frame.header(forPayloadSize: 0x0102_0304)) == 0x0102_0304)
    }
}
