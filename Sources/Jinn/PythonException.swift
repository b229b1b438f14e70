import Foundation
import JinnWire

/// A Python exception as Swift sees it: its type, message, traceback frames, and the exceptions chained to it.
///
/// ```swift
/// catch JinnError.python(let exception, _) {
///     print(exception.typeName)          // "ZeroDivisionError"
///     print(exception.frames.last!)      // <jinn>/__main__.py:3 in divide: return a / b
/// }
/// ```
public struct PythonException: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// One frame of a traceback, outermost first.
    public struct Frame: Sendable, Hashable, CustomStringConvertible {
        /// The file (or virtual path of a module held in memory).
        public var file: String
        /// The line number, starting at 1.
        public var line: Int
        /// The function, or `<module>` for a module body.
        public var function: String
        /// The source line, stripped of indentation; empty when unknown.
        public var sourceLine: String

        /// Creates a frame.
        public init(file: String, line: Int, function: String, sourceLine: String) {
            self.file = file
            self.line = line
            self.function = function
            self.sourceLine = sourceLine
        }

        public var description: String {
            "\(file):\(line) in \(function)" + (sourceLine.isEmpty ? "" : ": \(sourceLine)")
        }
    }

    /// Where a `SyntaxError` (or `IndentationError`, `TabError`) points.
    public struct SyntaxLocation: Sendable, Hashable {
        /// The file (or virtual path) that failed to compile.
        public var file: String
        /// The line, starting at 1.
        public var line: Int
        /// The column, starting at 1; 0 when unknown.
        public var offset: Int
        /// The offending line of source.
        public var text: String
    }

    /// The exception's type: `ValueError` for built-in types, `package.module.Name` for others.
    public var typeName: String
    /// `str(exception)` (for a `SyntaxError`, its message without the location).
    public var message: String
    /// The traceback, outermost frame first, without Jinn's own bootstrap frames.
    public var frames: [Frame]
    /// The traceback as Python prints it, chained exceptions included.
    public var formattedTraceback: String
    /// The location of a syntax error.
    public var syntaxLocation: SyntaxLocation?
    private var chained: [PythonException]
    private var causeIndex: Int?
    private var contextIndex: Int?

    /// The exception this one was raised from (`raise … from cause`).
    public var cause: PythonException? { causeIndex.map { chained[$0] } }
    /// The exception being handled when this one was raised, unless suppressed.
    public var context: PythonException? { contextIndex.map { chained[$0] } }

    /// Creates an exception description.
    public init(typeName: String, message: String, frames: [Frame] = [], formattedTraceback: String = "",
                syntaxLocation: SyntaxLocation? = nil, cause: PythonException? = nil,
                context: PythonException? = nil)
    {
        self.typeName = typeName
        self.message = message
        self.frames = frames
        self.formattedTraceback = formattedTraceback
        self.syntaxLocation = syntaxLocation
        self.chained = []
        if let cause {
            causeIndex = chained.count
            chained.append(cause)
        }
        if let context {
            contextIndex = chained.count
            chained.append(context)
        }
    }

    /// Reads the report that `jinn/_errors.py` makes.
    init(report: PythonValue) {
        let frames = (report["frames"]?.elements ?? []).map { frame in
            Frame(file: frame[0]?.stringValue ?? "?", line: frame[1]?.intValue ?? 0,
                  function: frame[2]?.stringValue ?? "?", sourceLine: frame[3]?.stringValue ?? "")
        }
        var location: SyntaxLocation?
        if let syntax = report["syntax"] {
            location = SyntaxLocation(file: syntax[0]?.stringValue ?? "", line: syntax[1]?.intValue ?? 0,
                                      offset: syntax[2]?.intValue ?? 0, text: syntax[3]?.stringValue ?? "")
        }
        self.init(
            typeName: report["type"]?.stringValue ?? "Exception",
            message: report["message"]?.stringValue ?? "",
            frames: frames,
            formattedTraceback: report["traceback"]?.stringValue ?? "",
            syntaxLocation: location,
            cause: report["cause"].map(PythonException.init(report:)),
            context: report["context"].map(PythonException.init(report:)))
    }

    /// The description, so that `localizedDescription` reads as ``description`` does.
    public var errorDescription: String? { description }

    /// `TypeName: message`, followed by the location of a syntax error or the innermost frame.
    public var description: String {
        var text = message.isEmpty ? typeName : "\(typeName): \(message)"
        if let location = syntaxLocation {
            text += " (\(location.file), line \(location.line)"
            text += location.offset > 0 ? ", column \(location.offset))" : ")"
        } else if let last = frames.last {
            text += " (at \(last))"
        }
        return text
    }
}
