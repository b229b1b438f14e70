import ArgumentParser
import Foundation
import Jinn

/// `jinn exec PATH [args…]`: runs a program through the in-memory bootstrap.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a Python program through Jinn's in-memory bootstrap.",
        discussion: """
            A directory is loaded into memory as a program: its __main__.py runs as __main__ and its other \
            modules and packages are imported from memory. A file runs as a script. Standard input, output, \
            error and the exit status are the program's own.
            """
    )

    @Option(name: .long, help: "The Python interpreter to use (default: python3 on PATH).")
    var python: String?

    @Argument(help: "A program directory (with __main__.py) or a script file.")
    var path: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments passed to the program as sys.argv[1:].")
    var arguments: [String] = []

    func run() async throws {
        let interpreter: PythonInterpreter
        let program: PythonProgram
        do {
            interpreter = try await PythonInterpreter.chosen(python)
        } catch {
            FileHandle.standardError.write(Data("jinn: \(error)\n".utf8))
            throw ExitCode(2)
        }
        do {
            program = try Self.program(at: path, arguments: arguments)
        } catch .invalidProgram where !FileManager.default.fileExists(atPath: path) {
            // python3's own words and status for a script that is not there.
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            FileHandle.standardError.write(Data(
                "\(interpreter.executable): can't open file '\(absolute)': [Errno 2] No such file or directory\n".utf8))
            throw ExitCode(2)
        } catch {
            FileHandle.standardError.write(Data("jinn: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var options = LaunchOptions()
        options.standardInput = .inherit
        options.standardOutput = .inherit
        options.standardError = .inherit
        let process: PythonProcess
        do {
            process = try await PythonProcess.start(program, interpreter: interpreter, options: options)
        } catch {
            FileHandle.standardError.write(Data("jinn: \(error)\n".utf8))
            throw ExitCode(2)
        }
        // Like a shell running a foreground job: a terminal's Ctrl-C or Ctrl-\ reaches the program directly (it
        // shares our process group) and the program decides what happens, so this process must not die of
        // them first. TERM and HUP, which are sent to this process alone, are passed on.
        signal(SIGINT, SIG_IGN)
        signal(SIGQUIT, SIG_IGN)
        let forwarders = [SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { process.signal(Signal(rawValue: number)) }
            source.resume()
            return source
        }
        let termination = await process.wait()
        forwarders.forEach { $0.cancel() }
        switch termination {
        case .exited(let status):
            throw ExitCode(status)
        case .signaled(let signal):
            // Die the same way, so that the shell sees what it would have seen with python3.
            Foundation.signal(signal, SIG_DFL)
            var unblocked = sigset_t()
            sigemptyset(&unblocked)
            sigaddset(&unblocked, signal)
            pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
            Foundation.kill(getpid(), signal)
            throw ExitCode(128 + signal)
        }
    }

    static func program(at path: String, arguments: [String]) throws(JinnError) -> PythonProgram {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            var program = try PythonProgram(directory: URL(fileURLWithPath: path))
            program.programName = path
            program.arguments = arguments
            return program
        }
        let program = PythonProgram.script(path, arguments: arguments)
        try program.validate()
        return program
    }
}
