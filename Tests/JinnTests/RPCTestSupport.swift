import Jinn
@_exported import JinnTestSupport
import Testing
import JinnWire

/// Starts a server program holding `modules`, with its output discarded unless asked for.
func startServer(_ modules: [PythonModule] = [], setup: String = "", options: LaunchOptions? = nil) async throws
    -> PythonProcess
{
    var program = PythonProgram.server(setup: setup)
    for module in modules { try program.add(module) }
    var launch = options ?? LaunchOptions()
    if options == nil {
        launch.standardOutput = .null
        launch.standardError = .null
    }
    return try await PythonProcess.start(program, interpreter: try await PythonInterpreter.system(), options: launch)
}

/// A module of small functions the call tests use.
let fixtureModule = PythonModule(name: "fixture", source: """
    import asyncio, os, threading, time, jinn

    _interrupted = []

    def interrupted():
        return _interrupted

    def add(a, b):
        return a + b

    def echo(value=None, **keywords):
        return keywords if keywords else value

    def kind(value):
        return type(value).__name__

    def nothing():
        pass

    def fail(message):
        try:
            {}["key"]
        except KeyError as error:
            raise ValueError(message) from error

    def spin(tag):
        count = 0
        try:
            while True:
                count += 1
        except KeyboardInterrupt:
            _interrupted.append(tag)
            raise

    def sleep(seconds):
        time.sleep(seconds)
        return seconds

    _gate = threading.Event()
    _waiting = []

    def wait_at_gate():
        _waiting.append(1)
        _gate.wait()
        return "through"

    def waiting():
        return len(_waiting)

    def open_gate():
        _gate.set()

    def complex_result():
        return 1 + 2j

    def big(size):
        return b"x" * size

    async def async_add(a, b):
        await asyncio.sleep(0)
        return a + b

    async def async_wait(tag):
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            _interrupted.append(tag)
            raise

    def write_garbage():
        os.write(4, b"this is not a frame of the jinn protocol")
        time.sleep(5)

    def write_stray_notice():
        # A notice of a frame in shared memory that runs past the end of the ring.
        os.write(4, ((1 << 31) | (5 << 20)).to_bytes(4, "little") + (7 << 20).to_bytes(8, "little"))
        time.sleep(5)

    def die():
        os.kill(os.getpid(), 9)

    class Point:
        @staticmethod
        def origin():
            return {"x": 0.0, "y": 0.0}

    def ask(handler, /, *args, **kwargs):
        return jinn.call(handler, *args, **kwargs)

    async def ask_async(name, value):
        return await jinn.acall(name, value)
    """)
