import ArgumentParser
import Dispatch
import Foundation
import Jinn
import JinnSystem
import Synchronization

/// `jinn repl`: an interactive Python session on top of ``REPLSession``.
struct REPLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Run an interactive Python session.",
        discussion: """
            In a terminal it reads one statement at a time with the usual prompts (a compound statement ends with \
            a blank line); Ctrl-C interrupts the running statement (or discards the line being typed) and Ctrl-D \
            exits. When standard input is not a terminal, it runs the statements it reads and prints the values \
            of expression statements, without prompts; a blank line inside an indented block is kept when the \
            block goes on. The exit status is then 1 if a statement raised an exception. input() reads the next \
            line of standard input in both cases.
            """
    )

    @Option(name: .long, help: "The Python interpreter to use (default: python3 on PATH).")
    var python: String?

    func run() async throws {
        let console = Console()
        let interactive = isatty(0) == 1
        let session: REPLSession
        do {
            let interpreter = try await PythonInterpreter.chosen(python)
            var options = REPLSession.defaultLaunchOptions
            // The terminal's Ctrl-C reaches this process only, which interrupts exactly the running statement.
            options.newProcessGroup = true
            session = try await REPLSession.start(interpreter: interpreter, options: options) { _ in
                await console.nextLine()
            }
            if interactive {
                console.write("Python \(interpreter.version) (\(interpreter.executable)) through jinn\n"
                              + "Ctrl-C interrupts, Ctrl-D exits.\n")
            }
        } catch {
            console.writeError("jinn: \(error)\n")
            throw ExitCode(2)
        }
        console.start(interruptingRunning: { session.interrupt() })
        let status = await Self.loop(session: session, console: console, interactive: interactive)
        await session.close()
        throw ExitCode(status)
    }

    /// Reads, runs and prints until the end of input; returns the exit status.
    private static func loop(session: REPLSession, console: Console, interactive: Bool) async -> Int32 {
        var buffer: [String] = []
        var failed = false
        while true {
            if interactive { console.write(buffer.isEmpty ? ">>> " : "... ") }
            let line: String
            switch await console.nextEvent() {
            case .interrupt:
                console.write("\nKeyboardInterrupt\n")
                buffer.removeAll()
                continue
            case .end:
                if interactive { console.write("\n") }
                guard !buffer.isEmpty else { return failed && !interactive ? 1 : 0 }
                // A block that the input ended without its blank line still runs.
                line = ""
            case .line(let text):
                line = text
            }
            if buffer.isEmpty && line.allSatisfy(\.isWhitespace) { continue }
            buffer.append(line)
            if !interactive, buffer.count > 1, line.allSatisfy(\.isWhitespace),
                let next = await console.peekLine(), next.first == " " || next.first == "\t"
            {
                continue  // a blank line inside a block that goes on
            }
            let source = buffer.joined(separator: "\n")
            let outcome = await console.executing { () async -> Result<REPLResult, JinnError> in
                do throws(JinnError) {
                    return .success(try await session.execute(source, mode: .interactive) { piece in
                        if piece.stream == .standardError {
                            console.writeError(piece.text)
                        } else {
                            console.write(piece.text)
                        }
                    })
                } catch {
                    return .failure(error)
                }
            }
            switch outcome {
            case .success(let result):
                if result.isIncomplete { continue }
            case .failure(.python(let exception, _)) where exception.typeName == "SystemExit":
                return exitStatus(exception, console: console)
            case .failure(.python(let exception, _)):
                console.writeError(exception.formattedTraceback.isEmpty
                    ? "\(exception.typeName): \(exception.message)\n" : exception.formattedTraceback)
                failed = true
            case .failure(let error):
                console.writeError("jinn: \(error)\n")
                return 1
            }
            buffer.removeAll()
        }
    }

    /// The status `sys.exit(code)` asks for, as the interpreter computes it.
    private static func exitStatus(_ exception: PythonException, console: Console) -> Int32 {
        if exception.message.isEmpty || exception.message == "None" { return 0 }
        if let status = Int32(exception.message) { return status }
        console.writeError(exception.message + "\n")
        return 1
    }
}

/// Standard input as lines, Ctrl-C as events, and unbuffered output.
private final class Console: Sendable {
    enum Event: Sendable {
        case line(String)
        case interrupt
        case end
    }

    private struct State {
        var events: [Event] = []
        var waiter: CheckedContinuation<Event?, Never>?
        var ended = false
        var running = false
    }

    private let state = Mutex(State())
    /// Kept for as long as the console lives; set once, before anything else reads it.
    private nonisolated(unsafe) var interrupts: (any DispatchSourceSignal)?

    /// Starts reading standard input and watching for Ctrl-C; `interruptingRunning` is called for a Ctrl-C while
    /// a statement runs.
    func start(interruptingRunning: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [self] in
            let running = state.withLock { $0.running }
            if running {
                interruptingRunning()
            } else {
                push(.interrupt)
            }
        }
        source.resume()
        interrupts = source
        let thread = Thread { [self] in readStandardInput() }
        thread.name = "jinn-repl-input"
        thread.start()
    }

    /// Runs `body` as the running statement, which Ctrl-C interrupts.
    func executing<T>(_ body: () async -> T) async -> T {
        state.withLock { $0.running = true }
        defer { state.withLock { $0.running = false } }
        return await body()
    }

    /// The next event; a Ctrl-C while a statement runs is not one.
    func nextEvent() async -> Event {
        await next(skippingInterrupts: false) ?? .end
    }

    /// The next line, for code that reads standard input; nil at the end of input.
    func nextLine() async -> String? {
        guard case .line(let text)? = await next(skippingInterrupts: true) else { return nil }
        return text
    }

    /// The line after the ones already taken, without taking it; nil at the end of input.
    func peekLine() async -> String? {
        while true {
            let peeked: Event?? = state.withLock { state in
                if let first = state.events.first(where: { if case .interrupt = $0 { false } else { true } }) {
                    return .some(first)
                }
                return state.ended ? .some(nil) : .none
            }
            switch peeked {
            case .some(.some(.line(let text))): return text
            case .some: return nil
            case .none: try? await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    private func next(skippingInterrupts: Bool) async -> Event? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Event?, Never>) in
                let ready: Event?? = state.withLock { state in
                    if skippingInterrupts { state.events.removeAll { if case .interrupt = $0 { true } else { false } } }
                    if !state.events.isEmpty { return .some(state.events.removeFirst()) }
                    if state.ended || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if case .some(let event) = ready { continuation.resume(returning: event) }
            }
        } onCancel: {
            state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume(returning: nil)
        }
    }

    private func push(_ event: Event) {
        let waiter = state.withLock { state -> CheckedContinuation<Event?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.events.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    private func readStandardInput() {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                retryingInterrupts { read(0, buffer.baseAddress, buffer.count) }
            }
            if count <= 0 { break }
            pending += chunk[..<count]
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = pending[start..<newline]
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                push(.line(String(decoding: line, as: UTF8.self)))
                start = newline + 1
            }
            pending.removeSubrange(..<start)
        }
        if !pending.isEmpty { push(.line(String(decoding: pending, as: UTF8.self))) }
        let waiter = state.withLock { state in
            state.ended = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }
}
