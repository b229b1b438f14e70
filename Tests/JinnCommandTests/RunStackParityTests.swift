import Foundation
import Jinn
import Testing

/// `jinn` against `python3` on what a script finds below its own frame: nothing. A warm run is forked deep inside
/// the zygote's loop, yet `traceback.print_stack()`, `inspect.stack()`, `sys._getframe()`, `logging`'s stack and
/// `warnings`' `stacklevel` must see what they see under `python3`, in the script and in what the interpreter's
/// shutdown calls (the join of the threads, `atexit`'s callbacks).
@Suite(.serialized)
struct RunStackParityTests {
    static let stack = """
        import inspect, logging, sys, traceback, warnings
        traceback.print_stack()
        frame, depth = sys._getframe(), 0
        while frame is not None:
            depth, frame = depth + 1, frame.f_back
        print("frames", depth, "inspect.stack", len(inspect.stack()))
        logging.basicConfig(format="%(message)s", stream=sys.stdout)
        logging.warning("logged", stack_info=True)
        warnings.warn("past the first frame", stacklevel=3)
        """

    @Test func aScriptsFrameIsTheFirstOnTheStackAsUnderPython3() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("stack.py", Self.stack)
        try box.script("package/__main__.py", Self.stack)
        for arguments in [["stack.py"], ["-c", Self.stack], ["-m", "stack"], ["package"]] {
            let jinn = try box.jinn(arguments)
            let python = try box.python3(arguments)
            #expect(jinn == python, "\(arguments): jinn \(jinn)\npython3 \(python)")
            #expect(jinn.termination == .exited(0))
        }
        let input = Data(Self.stack.utf8)
        let jinn = try box.jinn(["-"], input: input)
        let python = try box.python3(["-"], input: input)
        #expect(jinn == python, "a script on standard input: jinn \(jinn)\npython3 \(python)")
    }

    @Test func recursionErrorComesAtPython3sDepth() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("recursion.py", """
            import sys
            def deepest(depth):
                try:
                    return deepest(depth + 1)
                except RecursionError:
                    return depth
            print(sys.version_info[:2] >= (3, 12), deepest(0))
            """)
        let jinn = try box.jinn(["recursion.py"])
        let python = try box.python3(["recursion.py"])
        let words = python.output.split(whereSeparator: \.isWhitespace)
        let (countsPythonFramesOnly, deepest) = (words.first == "True", try #require(Int(words.last ?? "")))
        // Up to Python 3.11 a call of a built-in function counts against the limit, and one stays between the
        // interpreter and a warm run's script (jinn._bottom); from 3.12 on only Python frames count.
        let expected = countsPythonFramesOnly ? deepest : deepest - 1
        #expect(jinn.output == "\(words[0]) \(expected)\n", "jinn \(jinn)\npython3 \(python)")
        #expect(jinn.termination == .exited(0))
    }

    @Test func shutdownCallsTheProgramsCodeWithNothingBelowIt() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("exits.py", """
            import atexit, threading, traceback
            def show(where):
                print(where, len(traceback.extract_stack()))
                traceback.print_stack()
            atexit.register(show, "atexit")
            threading._register_atexit(show, "threading's exit")
            threading.Thread(target=lambda: None).start()
            print("main done")
            """)
        let jinn = try box.jinn(["exits.py"])
        let python = try box.python3(["exits.py"])
        #expect(jinn == python, "jinn \(jinn)\npython3 \(python)")
        #expect(jinn.output.hasPrefix("main done\nthreading's exit "), "\(jinn.output)")
        #expect(jinn.output.hasSuffix("\natexit 1\n"), "\(jinn.output)")
    }

    /// Ctrl-C while the interpreter waits for the threads at exit: python3 reports it in the `threading` module,
    /// goes on with `atexit`, and keeps the program's status.
    @Test func anInterruptWhileThreadsAreJoinedAtExitIsReportedAsUnderPython3() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("joined.py", """
            import atexit, os, signal, sys, threading, time
            release = threading.Event()
            def interrupt_the_join():
                while threading.main_thread().is_alive():  # until the shutdown has begun
                    time.sleep(0.01)
                os.kill(os.getpid(), signal.SIGINT)
            threading.Thread(target=release.wait, args=(30,)).start()
            threading.Thread(target=interrupt_the_join, daemon=True).start()
            atexit.register(release.set)
            atexit.register(print, "atexit ran")
            sys.exit(3)
            """)
        let jinn = try box.jinn(["joined.py"])
        let python = try box.python3(["joined.py"])
        #expect(jinn == python, "jinn \(jinn)\npython3 \(python)")
        #expect(jinn.termination == .exited(3))
        #expect(jinn.output == "atexit ran\n")
        #expect(jinn.errors.hasSuffix("KeyboardInterrupt: \n"), "\(jinn.errors)")
    }
}
