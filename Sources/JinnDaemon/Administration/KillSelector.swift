/// Which sessions `jinn kill` names: `all`, a session id or a prefix of one, or a script by its path or file name.
///
/// ```swift
/// KillSelector("sleeper.py").matches(session)   // a session running scripts/sleeper.py
/// KillSelector("3fa2").matches(session)         // a session whose id starts with 3fa2
/// ```
package struct KillSelector: Sendable, Equatable, CustomStringConvertible {
    /// The selector as the user typed it.
    package var text: String

    /// The selector a user typed.
    package init(_ text: String) {
        self.text = text
    }

    /// Whether the selector names the session. An empty selector names none, although every id starts with it.
    package func matches(_ session: Session) -> Bool {
        guard !text.isEmpty else { return false }
        return text == "all" || session.id.hasPrefix(text) || session.scriptNames.contains(text)
    }

    package var description: String { text }
}
