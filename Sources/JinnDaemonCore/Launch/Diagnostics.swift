import CJinn

/// `--verbose` diagnostics on standard error.
package struct Diagnostics: Sendable {
    package var enabled: Bool

    package init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Prints `jinn: TEXT` when diagnostics are on; the text is not built otherwise.
    package func note(_ text: @autoclosure () -> String) {
        guard enabled else { return }
        printError("jinn: " + text())
    }
}

/// Writes a line to standard error without Foundation.
package func printError(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { _ = jinn_write_all(2, $0.baseAddress, $0.count) }
}
