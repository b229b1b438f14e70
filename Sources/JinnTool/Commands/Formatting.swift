import Foundation
import JinnWire

/// Small text helpers for the administrative commands.
enum Formatting {
    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return String(format: "%.0f ms", seconds * 1000) }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds)
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole / 60 % 60) min"
    }

    static func printTable(_ rows: [[String]]) {
        guard let columns = rows.map(\.count).max() else { return }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        for row in rows {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            print(cells.joined(separator: "  "))
        }
    }
}

/// Signal names.
enum Signals {
    static func number(_ text: String) -> Int32? {
        if let number = Int32(text), (1...64).contains(number) { return number }
        let name = text.uppercased().hasPrefix("SIG") ? String(text.uppercased().dropFirst(3)) : text.uppercased()
        let names: [String: Int32] = [
            "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "KILL": SIGKILL, "USR1": SIGUSR1, "USR2": SIGUSR2,
            "TERM": SIGTERM, "CONT": SIGCONT, "STOP": SIGSTOP, "TSTP": SIGTSTP, "WINCH": SIGWINCH, "ALRM": SIGALRM,
        ]
        return names[name]
    }
}

/// Renders a reply as JSON (the values the daemon sends: dicts with string keys, lists, scalars).
enum JSONText {
    static func render(_ value: PythonValue) -> String {
        let object = plain(value)
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    private static func plain(_ value: PythonValue) -> Any {
        switch value {
        case .none: return NSNull()
        case .bool(let flag): return flag
        case .int(let number): return number
        case .bigInt(let number): return number.description
        case .float(let number): return number.isFinite ? number : NSNull()
        case .string(let text): return text
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .list(let items), .tuple(let items), .set(let items): return items.map(plain)
        case .dict(let items):
            var result: [String: Any] = [:]
            for item in items { result[item.key.stringValue ?? "\(item.key)"] = plain(item.value) }
            return result
        }
    }
}
