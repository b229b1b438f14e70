import Foundation
import Jinn

/// Shows installation progress on standard error: one redrawn bar on a terminal, plain lines otherwise.
final class ProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let isTerminal: Bool
    private let quiet: Bool
    private var drawn = false

    init(quiet: Bool = false, isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.quiet = quiet
        self.isTerminal = isTerminal
    }

    var handler: InstallProgressHandler {
        { [self] event in self.show(event) }
    }

    func show(_ event: InstallProgress) {
        guard !quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        if isTerminal {
            var line = Self.bar(event) + " " + event.description
            if event.package == nil, event.completed == nil { line += ": " + event.detail }
            write("\r\u{1B}[K" + String(line.prefix(Self.terminalWidth() - 1)))
            drawn = true
        } else {
            write("jinn: " + Self.plainLine(event) + "\n")
        }
    }

    /// Clears the bar, so that what follows starts on a clean line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { write("\r\u{1B}[K") }
        drawn = false
    }

    /// `installed six (1/2): + six==1.17.0`: the structured part, then the tool's own words.
    static func plainLine(_ event: InstallProgress) -> String {
        let structured = event.description
        return event.detail.isEmpty ? structured : structured + ": " + event.detail
    }

    /// `[#######.................]` when the fraction is known, a blank bar otherwise.
    static func bar(_ event: InstallProgress, width: Int = 24) -> String {
        guard let completed = event.completed, let total = event.total, total > 0 else {
            return "[" + String(repeating: " ", count: width) + "]"
        }
        let filled = min(width, width * completed / total)
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        return ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 20 ? Int(size.ws_col) : 80
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
