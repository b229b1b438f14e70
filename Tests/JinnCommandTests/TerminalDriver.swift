import Foundation
import Testing

/// A terminal for a command-line test: a small Python program that runs a command under a new pseudo-terminal as
/// a terminal emulator does (the command leads a session whose controlling terminal it is), follows scripted steps
/// (wait for text, type bytes, resize the window, create a file), and reports what the terminal showed and how the
/// command ended. Every wait in it is bounded.
struct TerminalDriver {
    /// What the driver does, in order.
    enum Step {
        /// Waits until `text` has appeared `times` times on the terminal.
        case expect(String, times: Int = 1)
        /// Types `text`.
        case type(String)
        /// Changes the window to `rows` by `columns` (the foreground process group gets SIGWINCH).
        case resize(rows: Int, columns: Int)
        /// Creates an empty file.
        case touch(String)

        var json: Any {
            switch self {
            case .expect(let text, let times): ["expect", text, times]
            case .type(let text): ["write", text]
            case .resize(let rows, let columns): ["resize", rows, columns]
            case .touch(let path): ["touch", path]
            }
        }
    }

    /// What the terminal showed, with `\r\n` as `\n`, and the command's exit status (negative: its signal).
    struct Session: Equatable, CustomStringConvertible {
        var output: String
        var status: Int
        var failure: String?
        var description: String { "status \(status)\(failure.map { ", \($0)" } ?? ""): \(output.debugDescription)" }
    }

    let box: ScriptRunnerSandbox

    /// Runs `command` (an argument vector) under a new terminal, following `steps`.
    func run(_ command: [String], _ steps: [Step] = []) throws -> Session {
        let driver = try box.script("terminal_driver.py", Self.source)
        let plan = String(decoding: try JSONSerialization.data(withJSONObject: steps.map(\.json)), as: UTF8.self)
        let outcome = try box.python3([driver, plan] + command)
        guard let object = try JSONSerialization.jsonObject(with: outcome.standardOutput) as? [String: Any],
              let output = object["output"] as? String, let status = object["status"] as? Int
        else { throw SandboxError("the terminal driver failed: \(outcome)") }
        return Session(output: output.replacingOccurrences(of: "\r\n", with: "\n"), status: status,
                       failure: object["failure"] as? String)
    }

    /// Runs `line` in `bash -ic` under a new terminal with `program` in place of `PROGRAM`; the session shows the
    /// program's path as `PROGRAM`.
    func run(line: String, program: String, _ steps: [Step] = []) throws -> Session {
        var result = try run(["bash", "--norc", "-ic", line.replacingOccurrences(of: "PROGRAM", with: program)], steps)
        result.output = result.output.replacingOccurrences(of: program, with: "PROGRAM")
        return result
    }

    /// ``run(line:program:_:)`` once with `jinn` and once with `python3`.
    func compare(_ line: String, _ steps: [Step] = []) throws -> (jinn: Session, python3: Session) {
        (try run(line: line, program: CommandRunner.executable.path, steps),
         try run(line: line, program: box.python.executable, steps))
    }

    static let source = #"""
"""Runs a command under a new pseudo-terminal, as a terminal emulator does, following scripted steps; prints what
the terminal showed and how the command ended, as JSON."""
import fcntl, json, os, select, signal, struct, sys, termios, time

steps = json.loads(sys.argv[1])
command = sys.argv[2:]
master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
pid = os.fork()
if pid == 0:
    os.close(master)
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    if slave > 2:
        os.close(slave)
    os.execvp(command[0], command)
os.close(slave)
# Typing never blocks, as in a terminal emulator: what the terminal has no room for waits here.
os.set_blocking(master, False)
output = b""
typed = b""
failure = None


def type_what_fits():
    global typed
    while typed:
        try:
            typed = typed[os.write(master, typed):]
        except BlockingIOError:
            return
        except OSError:
            typed = b""


def pump(timeout):
    global output
    ready, writable, _ = select.select([master], [master] if typed else [], [], timeout)
    if writable:
        type_what_fits()
    if not ready:
        return True
    try:
        data = os.read(master, 65536)
    except BlockingIOError:
        return True
    except OSError:
        return False
    if not data:
        return False
    output += data
    return True


BOUND = 60
for step in steps:
    kind = step[0]
    if kind == "expect":
        # The n-th time the text appears since the start, n being step[2] (1 unless given).
        needle, times = step[1].encode(), step[2] if len(step) > 2 else 1
        deadline = time.monotonic() + BOUND
        while output.count(needle) < times and time.monotonic() < deadline:
            if not pump(0.05):
                break
        if output.count(needle) < times:
            failure = "never saw %r" % step[1]
            break
    elif kind == "write":
        typed += step[1].encode()
        type_what_fits()
    elif kind == "touch":
        open(step[1], "w").close()
    elif kind == "resize":
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", step[1], step[2], 0, 0))
deadline = time.monotonic() + BOUND
finished = 0
while time.monotonic() < deadline:
    alive = pump(0.05)
    finished, status = os.waitpid(pid, os.WNOHANG)
    if finished:
        while pump(0.05):
            pass
        break
    if not alive:
        time.sleep(0.01)
if not finished:
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    failure = failure or "the command did not end"
print(json.dumps({"output": output.decode("utf-8", "replace"), "status": os.waitstatus_to_exitcode(status),
                  "failure": failure}))
"""#
}
