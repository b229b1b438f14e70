/// The 64-bit FNV-1a hash, for names of cache entries that also hold what they were made from (so a collision
/// is detected, never trusted).
///
/// ```swift
/// FNV1a.hexadecimal(Array("six".utf8))   // 16 hexadecimal digits
/// ```
public enum FNV1a {
    /// The hash of `bytes` as 16 lower-case hexadecimal digits.
    public static func hexadecimal(_ bytes: some Sequence<UInt8>) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
