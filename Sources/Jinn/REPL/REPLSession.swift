import JinnWire
import Synchronization

/// A stateful Python session: each execution sees the variables, imports and definitions of the ones before.
///
/// ```swift
/// let session = try await REPLSession.start()
/// _ = try await session.execute("import math\nr = 2")
/// let result = try await session.execute("print('area:')\nmath.pi * r ** 2")
/// result.value            // "12.566370614359172"
/// result.standardOutput   // "area:\n"
/// ```
///
/// - Source runs as a notebook cell by default: several statements, blank lines and indented blocks anywhere, and
///   the `repr` of a final expression in ``REPLResult/value``. ``Mode/interactive`` runs one statement as the
///   interactive interpreter does instead.
/// - Source that needs more lines (`def f():` alone, an open bracket) comes back as
///   ``REPLResult/Status/incomplete``, not as an error.
/// - An exception is thrown as ``JinnError/python(_:termination:)`` with its type, message and traceback (a
///   `SyntaxError` with its line in ``PythonException/syntaxLocation``); the session carries on.
/// - ``interrupt()`` and the `timeout` of ``execute(_:mode:timeout:output:)`` raise `KeyboardInterrupt` in the
///   running code, even inside `time.sleep` or `input()`; the session and its state survive.
/// - Code that reads standard input (`input()`, `sys.stdin`) gets its lines from the session's input handler.
///
/// What the code writes to `sys.stdout` and `sys.stderr` from the thread that runs it is captured; output written
/// to the descriptors directly (by a subprocess, say) goes to the process's own standard streams.
public final class REPLSession: Sendable {
    /// How source is compiled.
    public enum Mode: Sendable, Hashable {
        /// All of the source at once, like a notebook cell; the value of a final expression is the result's value.
        case cell
        /// One statement, like the interactive interpreter: a compound statement ends with a blank line, and the
        /// `repr` of every expression statement is written to standard output.
        case interactive
    }

    /// Supplies a line to code that reads standard input, given the text it printed since its last newline (the
    /// prompt of `input("Name: ")`); `nil` means end of input, which raises `EOFError` in `input()`.
    public typealias InputHandler = @Sendable (_ prompt: String) async -> String?

    /// The process the session runs in.
    public let process: PythonProcess
    let id: Int
    private let ownsProcess: Bool
    private let state: Mutex<State>

    private struct State {
        var running: Set<Int> = []
        var input: InputHandler?
    }

    private static let lastID = Atomic<Int>(0)

    /// Opens a session in a running process; several sessions may share one process, each with its own namespace.
    ///
    /// Executions run on the main thread while the program is inside `jinn.serve()` (as with
    /// ``PythonProgram/server(setup:)``), and on a worker thread otherwise; only the main thread lets an
    /// interruption break a blocking system call such as `time.sleep`.
    public convenience init(process: PythonProcess, input: InputHandler? = nil) {
        self.init(process: process, input: input, ownsProcess: false)
    }

    private init(process: PythonProcess, input: InputHandler?, ownsProcess: Bool) {
        self.process = process
        self.id = Self.lastID.wrappingAdd(1, ordering: .relaxed).newValue
        self.ownsProcess = ownsProcess
        self.state = Mutex(State(input: input))
    }

    /// Starts a Python process of its own for a new session.
    ///
    /// ```swift
    /// let session = try await REPLSession.start(setup: "import math")
    /// try await session.execute("math.tau").value   // "6.283185307179586"
    /// ```
    ///
    /// - Parameters:
    ///   - setup: code run in the session's namespace before the session is returned, such as imports; what it
    ///     defines is there for every execution. When it raises, the process is shut down and the error thrown.
    ///   - options: by default the process's standard output and error are this process's own (see
    ///     ``defaultLaunchOptions``).
    public static func start(interpreter: PythonInterpreter? = nil, options: LaunchOptions = defaultLaunchOptions,
                             setup: String = "", input: InputHandler? = nil) async throws(JinnError) -> REPLSession
    {
        let process = try await PythonProcess.start(.server(), interpreter: interpreter, options: options)
        let session = REPLSession(process: process, input: input, ownsProcess: true)
        if !setup.isEmpty {
            do {
                try await session.execute(setup)
            } catch {
                await process.shutdown()
                throw error
            }
        }
        return session
    }

    /// Launch options whose standard output and error are inherited, so that output the session does not capture
    /// (from subprocesses, or written to the descriptors) shows where this process's does.
    public static var defaultLaunchOptions: LaunchOptions {
        var options = LaunchOptions()
        options.standardOutput = .inherit
        options.standardError = .inherit
        return options
    }

    /// The handler that feeds standard input to the session's code; `nil` gives that code an end of input.
    ///
    /// ```swift
    /// session.inputHandler = { prompt in prompt == "Name: " ? "Ada" : nil }
    /// ```
    ///
    /// An execution uses the handler set when it starts.
    public var inputHandler: InputHandler? {
        get { state.withLock { $0.input } }
        set { state.withLock { $0.input = newValue } }
    }

    /// Renamed: set ``inputHandler`` instead.
    @available(*, deprecated, renamed: "inputHandler")
    public func setInputHandler(_ handler: InputHandler?) {
        inputHandler = handler
    }

    /// Runs source text in the session.
    ///
    /// - Parameters:
    ///   - mode: ``Mode/cell`` (the default) or ``Mode/interactive``.
    ///   - timeout: at the deadline the code sees `KeyboardInterrupt` and the call throws
    ///     ``JinnError/timedOut(operation:seconds:)``.
    ///   - output: called with each piece of output while the code runs (line by line, in order), before this
    ///     method returns. Without it, output is gathered and comes back in the result only.
    @discardableResult
    public func execute(_ source: String, mode: Mode = .cell, timeout: Duration? = nil,
                        output: (@Sendable (REPLOutput) -> Void)? = nil) async throws(JinnError) -> REPLResult
    {
        let execution = Execution(process: process, input: state.withLock { $0.input }, streaming: output != nil)
        let consumer = output.map { handler in
            Task { for await piece in execution.pieces { handler(piece) } }
        }
        let arguments: [PythonValue] = [.int(id), .string(source), .bool(mode == .interactive), .bool(output != nil)]
        let reply: Result<PythonValue, JinnError>
        do {
            reply = .success(try await process.invoke(
                "jinn._repl.execute", arguments: arguments, keywords: [], timeout: timeout,
                operation: "the REPL execution", observer: execution.observe,
                started: { [self] id in
                    execution.started(id)
                    state.withLock { _ = $0.running.insert(id) }
                }))
        } catch {
            reply = .failure(error)
        }
        let id = execution.finish()
        if let id { _ = state.withLock { $0.running.remove(id) } }
        await consumer?.value
        let value = try reply.get()
        return REPLResult(status: value[0]?.boolValue == false ? .incomplete : .completed,
                          value: value[1]?.stringValue, output: execution.collected)
    }

    /// Raises `KeyboardInterrupt` in the session's running code, as Ctrl-C does in a terminal; the execution
    /// throws it as ``JinnError/python(_:termination:)``. Returns false when nothing was running.
    @discardableResult
    public func interrupt() -> Bool {
        let running = state.withLock { $0.running }
        for id in running { process.cancelCall(id) }
        return !running.isEmpty
    }

    /// Ends the session: a process the session started is shut down; in a shared process the session's namespace
    /// is dropped.
    public func close() async {
        if ownsProcess {
            await process.shutdown()
        } else {
            _ = try? await process.invoke("jinn._repl.close", arguments: [.int(id)], keywords: [], timeout: nil,
                                          operation: "closing the REPL session")
        }
    }
}

/// The output and input traffic of one execution, seen from the channel's thread.
private final class Execution: Sendable {
    let pieces: AsyncStream<REPLOutput>
    private let sink: AsyncStream<REPLOutput>.Continuation
    private let process: PythonProcess
    private let input: REPLSession.InputHandler?
    private let streaming: Bool
    private let state = Mutex<(output: [REPLOutput], inputs: [Task<Void, Never>], id: Int?)>(([], [], nil))

    init(process: PythonProcess, input: REPLSession.InputHandler?, streaming: Bool) {
        (pieces, sink) = AsyncStream.makeStream()
        self.process = process
        self.input = input
        self.streaming = streaming
    }

    var collected: [REPLOutput] { state.withLock { $0.output } }

    func started(_ id: Int) {
        state.withLock { $0.id = id }
    }

    /// Ends the execution's traffic and returns its call id.
    func finish() -> Int? {
        sink.finish()
        let (inputs, id) = state.withLock { ($0.inputs, $0.id) }
        for task in inputs { task.cancel() }
        return id
    }

    var observe: CallRegistry.Observer {
        { [self] kind, message in
            guard case .int(let id)? = message[1] else { return }
            if kind == .output {
                let pieces = (message[2]?.elements ?? []).compactMap { chunk -> REPLOutput? in
                    guard let stream = chunk[0]?.intValue, let text = chunk[1]?.stringValue else { return nil }
                    return REPLOutput(stream == 2 ? .standardError : .standardOutput, text)
                }
                state.withLock { $0.output.append(contentsOf: pieces) }
                if streaming {
                    for piece in pieces { sink.yield(piece) }
                }
            } else if kind == .input {
                let prompt = message[2]?.stringValue ?? ""
                let input = self.input
                let process = self.process
                state.withLock { state in
                    state.inputs.append(Task {
                        let line = await input?(prompt)
                        let reply: PythonValue = Task.isCancelled ? .none : line.map(PythonValue.string) ?? .none
                        try? process.channel.send(.tuple([PythonValue(.input), .int(id), reply]))
                    })
                }
            }
        }
    }
}
