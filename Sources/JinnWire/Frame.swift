/// Length-prefixed frames: every message on a Jinn channel is a 4-byte little-endian length followed by that
/// many bytes of payload.
///
/// ```swift
/// var stream: [UInt8] = []
/// Frame.append(payload: Marshal.encode("hello"), to: &stream)
/// ```
public enum Frame {
    /// The size of the length prefix.
    public static let headerSize = 4

    /// The largest payload accepted unless a channel is configured otherwise (256 MiB).
    public static let defaultMaximumSize = 256 << 20

    /// Appends a frame holding `payload`.
    public static func append(payload: some Collection<UInt8>, to output: inout [UInt8]) {
        output.append(contentsOf: header(forPayloadSize: payload.count))
        output.append(contentsOf: payload)
    }

    /// The length prefix for a payload of `size` bytes.
    public static func header(forPayloadSize size: Int) -> [UInt8] {
        let length = UInt32(size)
        return [UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8),
                UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 24)]
    }

    /// Reads the payload size from the first four bytes of `header`.
    @inlinable  // specialized where it is used: it runs for every frame a channel reads
    public static func payloadSize(header: some Collection<UInt8>) -> Int {
        var size = 0
        var shift = 0
        for byte in header.prefix(4) {
            size |= Int(byte) << shift
            shift += 8
        }
        return size
    }
}
