/// A message that could not be read or written: the bytes on a channel do not follow the protocol.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, for a person to read.
    public var message: String

    /// Creates an error with a message for a person to read.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "protocol error: \(message)" }
}
