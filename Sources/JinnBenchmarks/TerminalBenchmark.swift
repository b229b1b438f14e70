import Foundation
import Jinn

/// `jinn hello.py` and `python3 hello.py` started under a pseudo-terminal (an interactive run: the client relays a
/// terminal of the run's own) and with pipes (a piped run), interleaved in one run so that every contender sees the
/// same machine load. A small Python driver starts each command as a terminal emulator or a pipeline would and
/// times it from fork to reaping, output drained.
enum TerminalBenchmark {
    static func run() async throws {
        let python = try await PythonInterpreter.system()
        let rounds = Int(ProcessInfo.processInfo.environment["JINN_BENCH_ROUNDS"] ?? "") ?? 25
        guard let jinn = builtJinnBesideBenchmark() else { return }
        let root = URL(fileURLWithPath: "/tmp/jinn-bench-terminal-\(getpid())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)  // the daemon makes its socket directory
        defer { try? FileManager.default.removeItem(at: root) }
        let hello = root.appending(path: "hello.py").path
        try "print('hello')\n".write(toFile: hello, atomically: true, encoding: .utf8)
        let driver = root.appending(path: "driver.py").path
        try driverSource.write(toFile: driver, atomically: true, encoding: .utf8)
        let configuration = root.appending(path: "config.toml").path
        try "idle_timeout = 120\npreload = []\n".write(toFile: configuration, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["JINN_SOCKET_DIR"] = root.appending(path: "sock").path
        environment["JINN_CONFIG"] = configuration
        defer { runQuietly(jinn, ["daemon", "stop"], environment: environment) }

        let (termination, output, errors) = try await runCapturing(
            python.executable, [driver, String(rounds), jinn, python.executable, hello], environment: environment)
        guard termination.isSuccess,
              let times = try JSONSerialization.jsonObject(with: Data(output)) as? [String: [Double]]
        else {
            throw JinnError.protocolViolation("the terminal driver failed (\(termination)): "
                                              + String(decoding: errors, as: UTF8.self))
        }
        func samples(_ key: String) -> Samples {
            var result = Samples()
            for value in times[key] ?? [] { result.add(value) }
            return result
        }
        let jinnTTY = samples("jinn tty"), pythonTTY = samples("python3 tty")
        let jinnPipe = samples("jinn pipe"), pythonPipe = samples("python3 pipe")
        func ratio(_ a: Samples, _ b: Samples) -> String { String(format: "%.3f×", a.median / b.median) }
        printTable([
            ["", "p50", "p90", "ratio"],
            ["jinn hello.py, interactive (pty)", formatDuration(jinnTTY.median),
             formatDuration(jinnTTY.percentile(0.9)), ratio(jinnTTY, pythonTTY)],
            ["python3 hello.py, interactive (baseline)", formatDuration(pythonTTY.median),
             formatDuration(pythonTTY.percentile(0.9)), "1.000×"],
            ["jinn hello.py, piped", formatDuration(jinnPipe.median), formatDuration(jinnPipe.percentile(0.9)),
             ratio(jinnPipe, pythonPipe)],
            ["python3 hello.py, piped (baseline)", formatDuration(pythonPipe.median),
             formatDuration(pythonPipe.percentile(0.9)), "1.000×"],
        ])
        print("the run's terminal costs jinn \(formatDuration(jinnTTY.median - jinnPipe.median)) "
              + "(interactive p50 − piped p50); python3 \(formatDuration(pythonTTY.median - pythonPipe.median))")
        print("interpreter: \(python.executable) (\(python.version)); \(rounds) rounds; client: \(jinn)")
    }

    /// Times each command, interleaved: under a new pseudo-terminal whose session it leads, and with its
    /// standard streams on pipes. Two warm-up rounds are left out. Prints `{name: [seconds…]}` as JSON.
    static let driverSource = #"""
        import fcntl, json, os, select, sys, termios, time

        rounds, jinn, python, script = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

        def drain(fd):
            while True:
                try:
                    if not os.read(fd, 65536):
                        return
                except OSError:
                    return

        def under_terminal(argv):
            master, slave = os.openpty()
            start = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                os.close(master)
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
                for fd in (0, 1, 2):
                    os.dup2(slave, fd)
                os.execv(argv[0], argv)
            os.close(slave)
            drain(master)
            os.waitpid(pid, 0)
            elapsed = time.perf_counter() - start
            os.close(master)
            return elapsed

        def piped(argv):
            reader, writer = os.pipe()
            start = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                os.close(reader)
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                os.dup2(writer, 1)
                os.dup2(writer, 2)
                os.execv(argv[0], argv)
            os.close(writer)
            drain(reader)
            os.waitpid(pid, 0)
            elapsed = time.perf_counter() - start
            os.close(reader)
            return elapsed

        times = {"jinn tty": [], "python3 tty": [], "jinn pipe": [], "python3 pipe": []}
        for round in range(rounds + 2):
            measured = [("jinn tty", under_terminal([jinn, script])), ("python3 tty", under_terminal([python, script])),
                        ("jinn pipe", piped([jinn, script])), ("python3 pipe", piped([python, script]))]
            if round >= 2:
                for name, seconds in measured:
                    times[name].append(seconds)
        print(json.dumps(times))
        """#
}
