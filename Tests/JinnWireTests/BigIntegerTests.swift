import JinnWire
import Testing

struct BigIntegerTests {
    @Test(arguments: ["0", "1", "-1", "32767", "32768", "9223372036854775807", "-9223372036854775808",
                      "9223372036854775808", "340282366920938463463374607431768211456",
                      "-1000000000000000000000000000000000000000000000000000"])
    func decimalTextRoundTrips(text: String) {
        #expect(BigInteger(text)?.description == text)
    }

    @Test func intValueIsExactAtTheEdges() {
        #expect(BigInteger(Int.max).intValue == Int.max)
        #expect(BigInteger(Int.min).intValue == Int.min)
        #expect(BigInteger("9223372036854775808")?.intValue == nil)
        #expect(BigInteger("-9223372036854775809")?.intValue == nil)
    }

    @Test func malformedTextIsRefused() {
        for text in ["", "-", "12a", "1.5", " 1", "١٢"] { #expect(BigInteger(text) == nil) }
    }

    @Test func negativeZeroIsZero() {
        #expect(BigInteger("-0")?.description == "0")
        #expect(BigInteger("-0")?.isNegative == false)
    }
}
