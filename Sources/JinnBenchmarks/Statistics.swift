import Foundation

/// Timing samples and the figures printed from them.
struct Samples {
    private(set) var values: [Double] = []

    mutating func add(_ seconds: Double) { values.append(seconds) }

    /// The value below which `fraction` of the samples lie.
    func percentile(_ fraction: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let index = min(sorted.count - 1, max(0, Int((Double(sorted.count - 1) * fraction).rounded())))
        return sorted[index]
    }

    var median: Double { percentile(0.5) }
}

/// Measures the wall time of `body` in seconds.
func measure(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// `12.3 ms`, `45.6 µs` or `1.23 s`.
/// `mine / theirs` as a ratio for a table, such as `0.42×`.
func formatRatio(_ mine: Double, _ theirs: Double) -> String {
    String(format: "%.2f×", mine / theirs)
}

func formatDuration(_ seconds: Double) -> String {
    if seconds >= 1 { return String(format: "%.2f s", seconds) }
    if seconds >= 1e-3 { return String(format: "%.2f ms", seconds * 1e3) }
    return String(format: "%.1f µs", seconds * 1e6)
}

/// Prints rows of a table whose first column is left-aligned and the rest right-aligned.
func printTable(_ rows: [[String]]) {
    guard let columns = rows.map(\.count).max() else { return }
    var widths = [Int](repeating: 0, count: columns)
    for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
    for row in rows {
        var line = ""
        for (index, cell) in row.enumerated() {
            let pad = String(repeating: " ", count: widths[index] - cell.count)
            line += index == 0 ? cell + pad : "  " + pad + cell
        }
        print(line)
    }
}

/// Runs a program to its end with its output discarded (stopping a benchmark's daemon); a failure to start is
/// ignored, since there is then nothing to stop.
func runQuietly(_ executable: String, _ arguments: [String], environment: [String: String]) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return }
    process.waitUntilExit()
}
