/// A Python `int` of any size, held as sign and magnitude in base 2¹⁵ (the digit size of Python's `marshal`).
///
/// It converts to and from decimal text; arithmetic is left to the caller's big-number library of choice.
///
/// ```swift
/// let big = BigInteger("-123456789012345678901234567890")!
/// big.description   // "-123456789012345678901234567890"
/// ```
public struct BigInteger: Sendable, Hashable, CustomStringConvertible {
    /// Whether the value is below zero.
    public private(set) var isNegative: Bool
    /// Base-2¹⁵ digits, least significant first, with no leading zero digits.
    public private(set) var digits: [UInt16]

    static let digitBits = 15
    static let digitBase: UInt32 = 1 << 15

    /// Creates a value from its sign and base-2¹⁵ digits, least significant first.
    public init(isNegative: Bool, digits: [UInt16]) {
        var trimmed = digits
        while trimmed.last == 0 { trimmed.removeLast() }
        self.digits = trimmed
        self.isNegative = trimmed.isEmpty ? false : isNegative
    }

    /// Creates a value from an `Int`.
    public init(_ value: Int) {
        var magnitude = value.magnitude
        var digits: [UInt16] = []
        while magnitude > 0 {
            digits.append(UInt16(magnitude & 0x7fff))
            magnitude >>= 15
        }
        self.init(isNegative: value < 0, digits: digits)
    }

    /// Parses decimal text with an optional leading sign; `nil` when the text is not a decimal integer.
    public init?(_ text: String) {
        var scalars = Substring(text)
        var negative = false
        if let first = scalars.first, first == "-" || first == "+" {
            negative = first == "-"
            scalars = scalars.dropFirst()
        }
        guard !scalars.isEmpty else { return nil }
        var digits: [UInt16] = []
        for character in scalars {
            guard let decimal = character.wholeNumberValue, character.isASCII else { return nil }
            var carry = UInt32(decimal)
            for index in digits.indices {
                let product = UInt32(digits[index]) * 10 + carry
                digits[index] = UInt16(product & 0x7fff)
                carry = product >> 15
            }
            while carry > 0 {
                digits.append(UInt16(carry & 0x7fff))
                carry >>= 15
            }
        }
        self.init(isNegative: negative, digits: digits)
    }

    /// The value as an `Int`, or `nil` when it does not fit.
    public var intValue: Int? {
        var magnitude: UInt = 0
        for digit in digits.reversed() {
            guard magnitude.leadingZeroBitCount >= 15 else { return nil }
            magnitude = magnitude << 15 | UInt(digit)
        }
        if isNegative {
            return magnitude <= UInt(Int.max) + 1 ? Int(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt(Int.max) ? Int(magnitude) : nil
    }

    /// The value in decimal.
    public var description: String {
        if digits.isEmpty { return "0" }
        // Repeated division by 10⁴ (fits with a 15-bit digit in 32 bits) collects decimal chunks.
        var remaining = digits
        var chunks: [UInt32] = []
        while !remaining.isEmpty {
            var remainder: UInt32 = 0
            for index in remaining.indices.reversed() {
                let current = remainder << 15 | UInt32(remaining[index])
                remaining[index] = UInt16(current / 10_000)
                remainder = current % 10_000
            }
            chunks.append(remainder)
            while remaining.last == 0 { remaining.removeLast() }
        }
        var text = isNegative ? "-" : ""
        text += String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let part = String(chunk)
            text += String(repeating: "0", count: 4 - part.count) + part
        }
        return text
    }
}
