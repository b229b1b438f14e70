import CJinn
import Foundation
import JinnSystem
import JinnWire
import Synchronization

/// A running Python interpreter, started by Jinn and bootstrapped with a program held in memory.
///
/// A process has one owner. It ends when its program ends, when ``terminate()`` or ``kill()`` is called, when
/// the task waiting on it is cancelled, when the last reference to it goes away, or when this process dies
/// (the child gets SIGKILL from the kernel on Linux, and end-of-file on its channel everywhere).
///
/// ```swift
/// let process = try await PythonProcess.start(PythonProgram(main: "import jinn; jinn.send('ready')"))
/// for await message in process.messages { print(message) }   // 'ready'
/// try await process.waitForSuccess()
/// ```
public final class PythonProcess: Sendable {
    /// The process id.
    public let processIdentifier: Int32
    /// The interpreter the process runs.
    public let interpreter: PythonInterpreter
    /// The process's standard output, when it is piped (empty otherwise).
    public let standardOutput: ProcessOutput
    /// The process's standard error, when it is piped (empty otherwise).
    public let standardError: ProcessOutput
    /// Values the program sent with `jinn.send(value)`, in order. The sequence ends when the process ends.
    public let messages: AsyncStream<PythonValue>

    let child: ChildProcess
    let channel: MessageChannel
    /// Calls into Python that wait for their reply.
    let calls = CallRegistry()
    /// The handlers Python calls into.
    let swiftHandlers: SwiftHandlerTable
    /// The Python objects Swift holds handles to: the calls that may bring handles, and the handles to release.
    let objects = ObjectTable()
    /// The socket that carries anonymous shared-memory segments' descriptors to and from the child.
    let sharedDescriptors = DescriptorExchange()
    /// The write end of the child's standard input when it is a pipe, until ``closeStandardInput()``.
    private let standardInput: Mutex<OwnedDescriptor?>
    private let report = Mutex<(exception: PythonException?, channelError: JinnError?)>((nil, nil))
    private let gracePeriod: Duration

    private init(child: ChildProcess, interpreter: PythonInterpreter, channel: MessageChannel,
                 standardOutput: OutputBuffer, standardError: OutputBuffer, standardInput: consuming OwnedDescriptor?,
                 messages: AsyncStream<PythonValue>, gracePeriod: Duration, handlers: SwiftHandlers)
    {
        self.child = child
        self.swiftHandlers = SwiftHandlerTable(handlers)
        self.processIdentifier = child.pid
        self.interpreter = interpreter
        self.channel = channel
        self.standardOutput = ProcessOutput(buffer: standardOutput)
        self.standardError = ProcessOutput(buffer: standardError)
        self.standardInput = Mutex(standardInput)
        self.messages = messages
        self.gracePeriod = gracePeriod
    }

    deinit {
        child.signal(SIGKILL)
        standardOutput.buffer.abandon()
        standardError.buffer.abandon()
        closeStandardInput()
    }

    /// Starts a program.
    ///
    /// - Parameters:
    ///   - program: what to run.
    ///   - interpreter: the interpreter; by default `python3` from `PATH`, resolved to its real executable.
    ///   - options: standard streams, interpreter flags and termination.
    /// A program whose ``PythonProgram/waitsUntilServing`` is set (``PythonProgram/server(setup:)``) is returned
    /// once its set-up has run and it serves calls; cancelling the task meanwhile kills it.
    ///
    /// - Throws: ``JinnError/invalidProgram(_:)`` before anything is launched when the program is malformed;
    ///   interpreter and launch errors otherwise; for a program that ended before it served,
    ///   ``JinnError/python(_:termination:)`` when its set-up raised, and ``JinnError/processFailed(_:)`` or
    ///   ``JinnError/processNotRunning(_:)`` when it exited.
    public static func start(_ program: PythonProgram, interpreter: PythonInterpreter? = nil,
                             options: LaunchOptions = LaunchOptions()) async throws(JinnError) -> PythonProcess
    {
        try program.validate()
        let resolved: PythonInterpreter
        if let interpreter {
            resolved = interpreter
        } else {
            resolved = try await PythonInterpreter.system()
        }

        var descriptors = try ChildDescriptors(
            input: options.standardInput, output: options.standardOutput, error: options.standardError,
            channel: program.transport)
        var sharedMemory: (rings: SharedRings, descriptor: Int32)?
        if program.transport == .pipes, options.sharedMemorySize >= 2 * SharedRings.threshold,
            let created = SharedRings.create(capacity: options.sharedMemorySize)
        {
            // The child maps the file by its number there; this process keeps only the mapping.
            sharedMemory = (created.rings, descriptors.pass(created.descriptor))
        }
        // Anonymous shared-memory segments cross as descriptors, which the channel's pipes cannot carry.
        var descriptorSocket: OwnedDescriptor?
        var descriptorNumber: Int32?
        if program.transport == .pipes, let pair = try? OwnedDescriptor.makeSocketPair() {
            descriptorNumber = descriptors.pass(pair.second)
            descriptorSocket = consume pair.first
        }
        // The script path is not needed by the bootstrap; it makes the process recognisable in `ps`.
        var arguments = ["-u"] + options.interpreterArguments + ["-c", Bootstrap.firstStage]
        if case .script(let path) = program.entry { arguments.append(path) }
        let child = try await ChildProcess.spawn(ChildProcess.Configuration(
            executable: resolved.executable, arguments: arguments, environment: program.environment,
            workingDirectory: program.workingDirectory, descriptors: [],
            newProcessGroup: options.newProcessGroup), with: &descriptors)

        if let inputWriter = descriptors.standardInput?.rawValue {
            _ = fcntl(inputWriter, F_SETFL, fcntl(inputWriter, F_GETFL) | O_NONBLOCK)
        }
        // Polling needs a descriptor of its own to read without blocking: a pair of pipes, not one socket.
        let busyPolling = program.transport == .pipes ? options.busyPolling : .zero
        // Every parent end is handed on here, each to the one owner that closes it: the channel's, the output
        // readers', and the process's standard input.
        let channel = MessageChannel(reading: descriptors.channelRead.take()!, writing: descriptors.channelWrite.take(),
                                     transport: program.transport, maximumSize: options.maximumMessageSize,
                                     rings: sharedMemory?.rings, busyPolling: busyPolling)
        let (messages, messageSink) = AsyncStream<PythonValue>.makeStream()
        let process = PythonProcess(
            child: child, interpreter: resolved, channel: channel,
            standardOutput: OutputBuffer.reading(descriptors.standardOutput.take(), name: "jinn-stdout"),
            standardError: OutputBuffer.reading(descriptors.standardError.take(), name: "jinn-stderr"),
            standardInput: descriptors.standardInput.take(), messages: messages,
            gracePeriod: options.terminationGracePeriod, handlers: options.handlers)
        if let socket = descriptorSocket.take() { process.sharedDescriptors.attach(socket) }
        let messageHandler = options.messageHandler
        channel.on(.message) { message in
            guard let value = message[1] else { return }
            if let messageHandler { messageHandler(value) } else { messageSink.yield(value) }
        }
        channel.on(.exception) { [weak process] message in
            guard let report = message[1] else { return }
            process?.report.withLock { $0.exception = PythonException(report: report) }
        }
        channel.on(.code) { message in
            Bootstrap.storeCompiledCode(message, program: program, interpreter: resolved)
        }
        let serving = ServingGate()
        channel.on(.serving) { _ in serving.open(serving: true) }
        process.installCallHandlers()
        // The program goes out before the reader starts, so nothing can be sent ahead of it.
        do {
            try channel.sendRaw(Bootstrap.payload(
                for: program, interpreter: resolved, maximumMessageSize: options.maximumMessageSize,
                sharedMemory: sharedMemory.map { ($0.descriptor, $0.rings.capacity) },
                busyPolling: busyPolling, descriptorSocket: descriptorNumber))
        } catch {
            // The child died before reading its program; its termination tells why.
        }
        channel.start { [weak process] error in
            if let error { process?.report.withLock { $0.channelError = error } }
            serving.open(serving: false)
            messageSink.finish()
            process?.endCalls(channelError: error)
        }
        if program.waitsUntilServing {
            try await process.waitUntilServing(serving)
        }
        return process
    }

    /// Waits for a server program's set-up to end in `jinn.serve()`; throws what ended the program instead.
    private func waitUntilServing(_ serving: ServingGate) async throws(JinnError) {
        let serves = await withTaskCancellationHandler {
            await serving.wait()
        } onCancel: {
            child.signal(SIGKILL)
            serving.open(serving: false)
        }
        guard !serves else { return }
        let termination = await wait()
        if Task.isCancelled { throw .cancelled(operation: "starting the program") }
        let (exception, channelError) = report.withLock { ($0.exception, $0.channelError) }
        if let exception { throw .python(exception, termination: termination) }
        if let channelError { throw channelError }
        throw termination.isSuccess ? .processNotRunning(termination) : .processFailed(termination)
    }

    // MARK: - Talking to the program

    /// Sends a value to the program, which receives it with `jinn.receive()`.
    public func send(_ value: PythonValue) throws(JinnError) {
        do {
            try channel.send(.tuple([PythonValue(.message), value]))
        } catch .processNotRunning {
            throw .processNotRunning(child.termination)
        }
    }

    /// Sends a raw message (not wrapped as a `jinn.receive()` value) with descriptors attached, for a program that
    /// reads the channel itself (see ``PythonProgram/pythonListens``). The caller keeps its copies.
    package func send(raw message: PythonValue, passing descriptors: [Int32]) throws(JinnError) {
        do {
            try channel.send(message, passing: descriptors)
        } catch .processNotRunning {
            throw .processNotRunning(child.termination)
        }
    }

    /// Writes bytes to the process's standard input (which must be a pipe: see ``LaunchOptions/standardInput``).
    ///
    /// Waits while the pipe is full; fails with ``JinnError/processNotRunning(_:)`` once the process has closed
    /// its input or ended, and with ``JinnError/cancelled(operation:)`` when the writing task is cancelled (the
    /// bytes before that point have been written).
    public func writeToStandardInput(_ bytes: some Sequence<UInt8>) async throws(JinnError) {
        let data = Array(bytes)
        var offset = 0
        while offset < data.count {
            let result: Int = standardInput.withLock { descriptor in
                guard let fd = descriptor?.rawValue else { return -Int(EBADF) }
                let written = data.withUnsafeBytes { jinn_write(fd, $0.baseAddress! + offset, data.count - offset) }
                return written >= 0 ? written : -Int(errno)
            }
            if result >= 0 {
                offset += result
            } else if result == -Int(EAGAIN) {
                do {
                    try await Task.sleep(for: .milliseconds(1))
                } catch {
                    throw .cancelled(operation: "writing to standard input")
                }
            } else if result == -Int(EPIPE) || result == -Int(EBADF) {
                throw .processNotRunning(child.termination)
            } else {
                throw .system(operation: "writing to standard input", errno: Int32(-result))
            }
        }
    }

    /// Writes UTF-8 text to the process's standard input.
    public func writeToStandardInput(_ text: String) async throws(JinnError) {
        try await writeToStandardInput(text.utf8)
    }

    /// Closes the process's standard input, so that its reads see end-of-file.
    public func closeStandardInput() {
        standardInput.withLock { $0 = nil }
    }

    // MARK: - Life and death

    /// The termination, if the process has ended.
    public var termination: Termination? { child.termination }

    /// Waits until the process ends and returns how it ended.
    ///
    /// Cancelling the waiting task terminates the process (SIGTERM, then SIGKILL after the grace period).
    @discardableResult
    public func wait() async -> Termination {
        let termination = await withTaskCancellationHandler {
            await child.wait()
        } onCancel: {
            let child = self.child
            let grace = self.gracePeriod
            Task.detached { await Self.terminate(child, gracePeriod: grace) }
        }
        // The channel reaches its end right after the process (an exception report travels just before it); a
        // grandchild that inherited the socket could hold it open, so the wait is bounded.
        await channel.waitUntilClosed(timeout: .milliseconds(500))
        closeStandardInput()
        return termination
    }

    /// Waits until the process ends and throws unless it exited with status 0.
    ///
    /// - Throws: ``JinnError/python(_:termination:)`` for an uncaught Python exception,
    ///   ``JinnError/processFailed(_:)`` for another non-zero status or a signal, and
    ///   ``JinnError/protocolViolation(_:)`` when the program broke the channel.
    public func waitForSuccess() async throws(JinnError) {
        let termination = await wait()
        let (exception, channelError) = report.withLock { ($0.exception, $0.channelError) }
        if let exception { throw .python(exception, termination: termination) }
        if let channelError, !termination.isSuccess || channelError.isProtocolViolation { throw channelError }
        if !termination.isSuccess { throw .processFailed(termination) }
    }

    /// The uncaught exception that ended the program, once it has been reported.
    public var uncaughtException: PythonException? {
        report.withLock { $0.exception }
    }

    /// Asks the process to stop with SIGTERM, sends SIGKILL if it is still running after the grace period given
    /// in ``LaunchOptions/terminationGracePeriod``, and returns how it ended.
    @discardableResult
    public func terminate() async -> Termination {
        await terminate(gracePeriod: gracePeriod)
    }

    /// Asks the process to stop with SIGTERM, and sends SIGKILL if it is still running after `gracePeriod`.
    @discardableResult
    public func terminate(gracePeriod: Duration) async -> Termination {
        await Self.terminate(child, gracePeriod: gracePeriod)
        return await wait()
    }

    /// Kills the process with SIGKILL at once.
    public func kill() {
        child.signal(SIGKILL)
    }

    /// Sends a signal to the process, or to its whole process group when `toProcessGroup` is true and it leads
    /// one (see ``LaunchOptions/newProcessGroup``).
    ///
    /// ```swift
    /// process.signal(.hangup)
    /// ```
    ///
    /// - Returns: false when the process has already ended (and was therefore not signalled).
    @discardableResult
    public func signal(_ signal: Signal, toProcessGroup: Bool = false) -> Bool {
        child.signal(signal.rawValue, toGroup: toProcessGroup)
    }

    /// Renamed ``signal(_:toProcessGroup:)``, which takes a ``Signal``.
    @available(*, deprecated, renamed: "signal(_:toProcessGroup:)")
    @discardableResult
    public func signal(_ signal: Int32, toGroup: Bool = false) -> Bool {
        child.signal(signal, toGroup: toGroup)
    }

    /// Sends SIGINT, which raises `KeyboardInterrupt` in the program's main thread.
    @discardableResult
    public func interrupt() -> Bool {
        child.signal(SIGINT)
    }

    private static func terminate(_ child: ChildProcess, gracePeriod: Duration) async {
        guard child.signal(SIGTERM) else { return }
        if await child.wait(timeout: gracePeriod) == nil { child.signal(SIGKILL) }
    }
}

extension JinnError {
    var isProtocolViolation: Bool {
        if case .protocolViolation = self { return true }
        return false
    }
}
