/// TOML 1.0's integers and floats, as words of a document.
enum TOMLNumber {
    /// A decimal integer (sign, `_` between digits, no leading zero) or a `0x`, `0o` or `0b` one; nil when
    /// `word` is not one, or does not fit in 64 bits (see ``isWrittenAsInteger(_:)``).
    static func integer(_ word: String) -> Int? {
        integerDigits(word).flatMap { Int($0.digits, radix: $0.radix) }
    }

    /// True when `word` has an integer's form, whatever its size.
    static func isWrittenAsInteger(_ word: String) -> Bool { integerDigits(word) != nil }

    private static func integerDigits(_ word: String) -> (digits: String, radix: Int)? {
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where word.hasPrefix(prefix) {
            let digits = word.dropFirst(2)
            return hasUnderscoresOnlyBetweenDigits(digits, radix: radix) ? (digits.filter { $0 != "_" }, radix) : nil
        }
        var digits = Substring(word)
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        guard hasUnderscoresOnlyBetweenDigits(digits, radix: 10), digits.first != "0" || digits.count == 1 else {
            return nil
        }
        return (word.filter { $0 != "_" }, 10)
    }

    /// A float with a fraction, an exponent or both, or `inf` and `nan` with an optional sign.
    static func float(_ word: String) -> Double? {
        switch word {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "+nan", "-nan": return .nan
        default: break
        }
        var body = Substring(word)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        let exponentStart = body.firstIndex { $0 == "e" || $0 == "E" }
        let mantissa = body[..<(exponentStart ?? body.endIndex)]
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard exponentStart != nil || parts.count == 2, parts.count <= 2,
              parts.allSatisfy({ hasUnderscoresOnlyBetweenDigits($0, radix: 10) }),
              parts[0].first != "0" || parts[0].count == 1
        else { return nil }
        if let exponentStart {
            var exponent = body[body.index(after: exponentStart)...]
            if exponent.first == "+" || exponent.first == "-" { exponent = exponent.dropFirst() }
            guard hasUnderscoresOnlyBetweenDigits(exponent, radix: 10) else { return nil }
        }
        return Double(word.filter { $0 != "_" })
    }

    /// True for one or more digits of `radix`, with single underscores only between two digits.
    private static func hasUnderscoresOnlyBetweenDigits(_ text: Substring, radix: Int) -> Bool {
        var previousWasDigit = false
        for character in text {
            if character == "_" {
                guard previousWasDigit else { return false }
                previousWasDigit = false
            } else {
                guard character.hexDigitValue.map({ $0 < radix }) == true else { return false }
                previousWasDigit = true
            }
        }
        return previousWasDigit
    }
}

/// TOML 1.0's dates and times (RFC 3339, with a space allowed between date and time), checked by shape.
enum TOMLDateTime {
    /// `YYYY-MM-DD`.
    static func isDate(_ text: String) -> Bool {
        let characters = Array(text.utf8)
        guard characters.count == 10, characters[4] == UInt8(ascii: "-"), characters[7] == UInt8(ascii: "-"),
              allDigits(characters[0..<4]), let month = number(characters[5..<7]), let day = number(characters[8..<10])
        else { return false }
        return (1...12).contains(month) && (1...31).contains(day)
    }

    /// A local date, a local time, or a local or offset date-time.
    static func isValid(_ text: String) -> Bool {
        if isDate(text) { return true }
        if isTime(Substring(text)) { return true }
        guard text.utf8.count > 11 else { return false }
        let date = text.prefix(10)
        let separator = text[text.index(text.startIndex, offsetBy: 10)]
        guard isDate(String(date)), separator == "T" || separator == "t" || separator == " " else { return false }
        var time = text.dropFirst(11)
        let bytes = Array(time.utf8)
        if time.hasSuffix("Z") || time.hasSuffix("z") {
            time = time.dropLast()
        } else if bytes.count > 6, bytes[bytes.count - 6] == UInt8(ascii: "+") || bytes[bytes.count - 6] == UInt8(ascii: "-") {
            let offset = bytes[(bytes.count - 5)...]
            guard offset[offset.startIndex + 2] == UInt8(ascii: ":"),
                  let hours = number(offset.prefix(2)), let minutes = number(offset.suffix(2)), hours < 24, minutes < 60
            else { return false }
            time = time.dropLast(6)
        }
        return isTime(time)
    }

    /// `HH:MM:SS` with an optional fraction.
    private static func isTime(_ text: Substring) -> Bool {
        let characters = Array(text.utf8)
        guard characters.count >= 8, characters[2] == UInt8(ascii: ":"), characters[5] == UInt8(ascii: ":"),
              let hours = number(characters[0..<2]), let minutes = number(characters[3..<5]),
              let seconds = number(characters[6..<8]), hours < 24, minutes < 60, seconds <= 60
        else { return false }
        guard characters.count > 8 else { return true }
        return characters[8] == UInt8(ascii: ".") && characters.count > 9 && allDigits(characters[9...])
    }

    private static func allDigits(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        allDigits(bytes) ? bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } : nil
    }
}
