/// A piece of what code in a ``REPLSession`` wrote, in the order it was written.
public struct REPLOutput: Sendable, Hashable {
    /// The stream the text went to.
    public enum Stream: Sendable, Hashable {
        /// `sys.stdout`.
        case standardOutput
        /// `sys.stderr`.
        case standardError
    }

    /// Where the text was written.
    public var stream: Stream
    /// The text.
    public var text: String

    /// Creates a piece of output.
    public init(_ stream: Stream, _ text: String) {
        self.stream = stream
        self.text = text
    }
}

/// What an execution in a ``REPLSession`` produced.
///
/// ```swift
/// let result = try await session.execute("print('hi')\n6 * 7")
/// result.value             // "42"
/// result.standardOutput    // "hi\n"
/// ```
public struct REPLResult: Sendable, Hashable {
    /// Whether the code ran, or needs more lines first.
    public enum Status: Sendable, Hashable {
        /// The code ran to its end.
        case completed
        /// The source is the beginning of a statement (`def f():`, an open bracket or string); nothing ran.
        case incomplete
    }

    /// Whether the code ran.
    public var status: Status
    /// The `repr` of the final expression's value, as the interactive interpreter shows it; `nil` when the code
    /// did not end with an expression or its value was `None`.
    public var value: String?
    /// Everything written to standard output and standard error, in the order it was written.
    public var output: [REPLOutput]

    /// Creates a result.
    public init(status: Status, value: String? = nil, output: [REPLOutput] = []) {
        self.status = status
        self.value = value
        self.output = output
    }

    /// What was written to standard output.
    public var standardOutput: String {
        output.lazy.filter { $0.stream == .standardOutput }.map(\.text).joined()
    }

    /// What was written to standard error.
    public var standardError: String {
        output.lazy.filter { $0.stream == .standardError }.map(\.text).joined()
    }

    /// Whether the source needs more lines before it can run.
    public var isIncomplete: Bool { status == .incomplete }
}
