/// How a run's command line differs from a plain `python3 SCRIPT`: python3's start-up options and the words
/// typed. It travels in ``RunRequest/options`` only when there is something to say, and the daemon starts the
/// run's zygote with ``interpreter`` (see `ZygoteKey`).
///
/// ```swift
/// let options = RunOptions(interpreter: [Array("-O".utf8)], commandLine: [Array("-O".utf8), Array("x.py".utf8)])
/// let request = RunRequest(entry: .script(Array("x.py".utf8)), arguments: [Array("x.py".utf8)],
///                          workingDirectory: Array("/".utf8), environment: [], umask: 0o22, options: options)
/// ```
public struct RunOptions: Sendable, Equatable {
    /// python3's start-up options, one word each (`-O`, `-W`, `default`); `-u` among them is applied by the run.
    public var interpreter: [[UInt8]]
    /// The command line after the interpreter's name as python3 would receive it, options as typed: what
    /// `sys.orig_argv[1:]` holds.
    public var commandLine: [[UInt8]]

    /// Creates the options of a run.
    public init(interpreter: [[UInt8]], commandLine: [[UInt8]]) {
        self.interpreter = interpreter
        self.commandLine = commandLine
    }

    /// The options as the zygote reads them (`jinn/_options.py`).
    public var value: PythonValue {
        .dict([
            .init("interpreter", .list(interpreter.map(PythonValue.bytes))),
            .init("orig_argv", .list(commandLine.map(PythonValue.bytes))),
        ])
    }

    /// Reads the options; throws when a field is missing or not a list of bytes.
    public init(_ value: PythonValue) throws(WireError) {
        guard case .list(let interpreter)? = value["interpreter"], let startup = Self.byteStrings(interpreter),
              case .list(let command)? = value["orig_argv"], let commandLine = Self.byteStrings(command)
        else { throw WireError("a run request's options need interpreter and orig_argv, lists of bytes") }
        self.init(interpreter: startup, commandLine: commandLine)
    }

    private static func byteStrings(_ values: [PythonValue]) -> [[UInt8]]? {
        var result: [[UInt8]] = []
        for value in values {
            guard case .bytes(let bytes) = value else { return nil }
            result.append(bytes)
        }
        return result
    }
}
