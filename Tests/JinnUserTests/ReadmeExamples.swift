// Every Swift code block of README.md, as the README shows it: `ReadmeTests` checks that each block appears here
// line for line, so that a block that stops compiling fails the build, and a block edited in one place only fails
// the tests. Names a block uses without defining them are this file's parameters and locals.
import Foundation
import Jinn
import Testing

enum ReadmeExamples {
    static func quickStart() async throws {
        var program = PythonProgram(main: """
            import jinn
            from helpers import double
            print("computing")
            jinn.send(double(jinn.base))
            """)
        try program.add(PythonModule(name: "helpers", source: "def double(x):\n    return 2 * x\n"))
        program.values["base"] = 21                      // read in Python as jinn.base

        let process = try await PythonProcess.start(program)
        for await line in process.standardOutput.lines { print("python says:", line) }
        for await value in process.messages { print(value) }          // 42
        try await process.waitForSuccess()
    }

    static func uncaughtException(_ process: PythonProcess) async {
        do {
            try await process.waitForSuccess()
        } catch .python(let exception, let termination) {
            print(exception.typeName, exception.message)   // ZeroDivisionError division by zero
            for frame in exception.frames { print(frame) } // <jinn>/__main__.py:3 in <module>: 1 / 0
            if let termination { print(termination) }      // exited with status 1
        } catch {
            print(error.localizedDescription)              // any other JinnError, described
        }
    }

    static func capturedInAClosure(_ process: PythonProcess) async throws {
        do {
            try await process.waitForSuccess()
        } catch {
            guard case .python(let exception, _) = error else { throw error }
            #expect(exception.frames.allSatisfy { !$0.file.hasPrefix("<jinn>/jinn/") })
        }
    }

    static func interpreters() async throws {
        let python = try await PythonInterpreter.system()              // python3 on PATH, resolved to the real file
        let other = try await PythonInterpreter(path: "/usr/bin/python3.12")
        let venv = try await PythonInterpreter(virtualEnvironment: "/srv/app/.venv")
        print(python.version, python.executable, python.sitePackages)
        _ = (other, venv)
    }

    static func programs(mainSource: String, src: String, url: URL) throws {
        var program = PythonProgram(main: mainSource)                       // __main__ from a string
        try program.add(PythonModule(name: "tools", source: "", isPackage: true))   // a package
        try program.add(PythonModule(name: "tools.text", source: src))      // a module in it
        try program.addPackage(at: URL(fileURLWithPath: "analysis"))        // a directory tree, __init__.py optional
        try program.addPackage(fromResource: "analysis", in: .module)       // a SwiftPM resource folder (.copy)
        let fromDirectory = try PythonProgram(directory: url)               // like `python DIR`: DIR/__main__.py
        let script = PythonProgram.script("tool.py", arguments: ["-v"])     // a script file, like `python tool.py`
        let code = PythonProgram.code("print(42)")                          // like `python -c`
        program.values["threshold"] = 0.5          // jinn.threshold and jinn.values["threshold"] in Python
        program.arguments = ["--fast"]             // sys.argv[1:]
        program.environment["MODE"] = "test"       // the complete environment (default: this process's)
        program.workingDirectory = "/tmp"
        _ = (fromDirectory, script, code)
    }

    static func processes(_ program: PythonProgram, _ python: PythonInterpreter) async throws {
        var options = LaunchOptions()
        options.standardInput = .pipe          // .pipe, .inherit or .null (default)
        options.standardOutput = .pipe         // .pipe (default), .inherit or .null
        options.terminationGracePeriod = .seconds(1)
        let process = try await PythonProcess.start(program, interpreter: python, options: options)

        try process.send(["job": 7])                      // jinn.receive() in Python
        try await process.writeToStandardInput("2 3\n")
        process.closeStandardInput()
        process.signal(.userDefinedOne)                   // any Signal; false once the process has ended
        let text = await process.standardOutput.text()    // all of it, once the process closes its output
        let termination = await process.wait()            // .exited(0) or .signaled(9)
        print(text, termination)
    }

    static func scopedProcess(_ program: PythonProgram) async throws {
        let first = try await PythonProcess.run(program) { process in
            var replies = process.messages.makeAsyncIterator()
            return await replies.next()
        }
        print(first as Any)
    }

    static func environments() async throws {
        let python = try await PythonInterpreter.system()
        var options = EnvironmentOptions()            // systemSitePackages, interpreterLink (.symlinks/.copies), clear,
        options.prompt = "app"                        // upgrade, includePip, prompt, installer (.automatic/.uv/.pip)
        let created = try await VirtualEnvironment.create(
            at: "/srv/app/.venv", from: python, options: options,
            packages: InstallRequest(["six==1.17.0", "./vendor/tool-1.0-py3-none-any.whl"], requirementFiles: ["req.txt"])
        ) { event in print(event) }                   // with uv: "resolving (2/2)", "installed six (1/2)", …
        print(created.reused)                         // true when the environment was already there

        let lock = try await created.environment.freeze()          // interpreter, platform, pins, hashes
        try lock.write(to: "/srv/app/jinn.lock")
        let copy = try await VirtualEnvironment.restore(lock, at: "/tmp/copy", from: python)   // verified against the lock

        let store = EnvironmentStore()                // named environments under one root
        _ = try await store.create("analysis", from: python, packages: InstallRequest(["six"]))
        print(store.names(), try await store.environment(named: "analysis").describe().packages)
        try await store.remove("analysis")
        _ = copy
    }

    static func callsIntoPython() async throws {
        var program = PythonProgram.server(setup: "import numpy")
        try program.add(PythonModule(name: "geometry", source: """
            import math
            def area(r):
                return math.pi * r * r
            async def slow_area(r):
                return area(r)
            """))
        let python = try await PythonProcess.start(program)

        let area: Double = try await python.call("geometry.area", 2.0)            // any dotted name
        let text: String = try await python.call("json.dumps", ["a": 1], keywords: ["indent": 2])
        let mixed: String = try await python.call("json.dumps", ["n": 1, "name": "x"])   // literals of any types
        let same = try await python.call("geometry.slow_area", 2.0, as: Double.self)  // async def: on an event loop
        let any = try await python.call("json.loads", "[1, 2.5, null]")          // a PythonValue
        let mean: Double = try await python.call("numpy.mean", [1.0, 2.0, 4.5])  // numpy.float64 is a float
        do {
            try await python.call("time.sleep", 5, timeout: .milliseconds(250))  // interrupted at the deadline
        } catch .timedOut {
            print("gave up; Python saw KeyboardInterrupt")
        }
        await python.shutdown()                                                   // jinn.serve() returns; exit 0
        print(area, text, mixed, same, any, mean)
    }

    static func fastestRoundTrips(_ python: PythonProcess) async throws {
        let sum = try await withTaskExecutorPreference(python.executor) {
            var sum = 0
            for index in 0..<10_000 { sum += try await python.call("operator.mul", index, index, as: Int.self) }
            return sum
        }
        print(sum)
    }

    static func callsIntoSwift(_ program: PythonProgram) async throws {
        struct Greeting: Codable { var name: String; var polite: Bool }
        var options = LaunchOptions()
        options.handlers.register("greet") { (request: Greeting) in      // typed request and response
            request.polite ? "Good day, \(request.name)" : "Hi \(request.name)"
        }
        let python = try await PythonProcess.start(program, options: options)
        python.register("area") { [weak python] (radius: Double) async throws -> Double in   // or once it runs
            guard let python else { throw CancellationError() }
            return try await python.call("geometry.area", radius)        // calls back into Python: no deadlock
        }
    }

    static func services(_ python: PythonProcess) async throws {
        let counter = try await python.makeService("counters.Counter", 10)
        let total: Int = try await counter.call("add", 5)              // 15
        for method in try await counter.methods() { print(method) }    // add(n=1): Adds n and returns the total.
        let shared = try await python.service(named: "shared")
        await counter.close()                                           // also when the last reference goes away
        print(total, shared.name)
    }

    static func pythonObjects() async throws {
        let python = try await PythonProcess.start(.server())
        let np = try await python.import("numpy")
        let samples = try await np.linspace(0, 1, num: 5)                    // a handle to the ndarray
        print(try await samples.decode([Double].self))                       // [0.0, 0.25, 0.5, 0.75, 1.0]
        let mean = try await samples.mean().decode(Double.self)              // 0.5
        let a = try await np.array([[3.0, 1.0], [1.0, 2.0]])
        let x = try await np.linalg.solve(a, [9.0, 8.0])                     // crosses once, path and call together
        print(try await x.decode([Double].self), try await np.pi.decode(Double.self))   // [2.0, 3.0] 3.14159…
        for try await row in try await np.eye(2).iterate() { print(try await row.decode([Double].self)) }
        let doubled = try await samples * 2
        print(try await doubled[1..<3].decode([Double].self))               // [0.5, 1.0]
        print(mean)
        await python.shutdown()
    }

    static func objectOperations(_ python: PythonProcess, _ np: PythonObject) async throws {
        let solve = try await python.object("numpy.linalg.solve")          // a dotted name: module, then attributes
        let pi = try await python.evaluate("numpy.pi", as: Double.self)     // an expression; numpy is imported on demand
        let counter = try await python.import("collections").Counter("abracadabra")
        try await counter.setItem("z", to: 7)                               // counter["z"] = 7
        let common = try await counter.most_common(2).decode([[PythonValue]].self)   // [['z', 7], ['a', 5]]
        try await counter.setAttribute("note", to: "letters")               // and deleteAttribute, deleteItem
        let matrix = try await np.arange(12).reshape(3, 4)
        let corner = try await matrix[0, -1].decode(Int.self)               // matrix[0, -1]; a[1..<3], a[...], slice(…)
        let column = try await matrix[PythonObject.slice(), 1].decode([Int].self)   // matrix[:, 1]: [1, 5, 9]
        let product = try await matrix.matrixMultiplied(by: matrix.T)       // @; also floorDivided(by:), raised(to:)
        let size = try await matrix.length()                                // len(); repr(), string(), isTrue(), contains(_:)
        let fitted = try await np.polyfit.call(arguments: [[0, 1, 2], [1, 3, 5], 1], timeout: .seconds(5))
        let text = try await python.evaluate("open")("/etc/hostname").withContext { file in
            try await file.read().decode(String.self)                        // with open(...) as file:
        }
        print(solve, pi, common, corner, column, product, size, fitted, text)
    }

    static func objectConversions(_ np: PythonObject) async throws {
        struct Vector: PythonObjectConvertible, PythonObjectDecodable {
            var values: [Double]
            var pythonObject: PythonObject {
                get throws(JinnError) { try PythonObject(ndarray: values) }     // crosses as a float64 ndarray
            }
            init(pythonObject: PythonObject) async throws(JinnError) {
                values = try await pythonObject.decode([Double].self)
            }
            init(_ values: [Double]) { self.values = values }
        }
        let normal = try await np.cross(Vector([1, 0, 0]), Vector([0, 1, 0])).decode(Vector.self)   // [0, 0, 1]
        let image = try await np.asarray(PythonObject(ndarray: [[UInt8]](repeating: [0, 255], count: 2)))  // uint8, 2×2
        print(normal.values, image)
    }

    static func sharedArrays() async throws {
        var program = PythonProgram.server(setup: "import numpy")
        try program.add(PythonModule(name: "stats", source: """
            import numpy

            def centre(a):
                a -= a.mean(axis=0)              # in place: Swift sees the new values
                return float(a.std())

            def histogram(a, bins):
                return numpy.histogram(a, bins)[0]
            """))
        let python = try await PythonProcess.start(program)

        let samples = try SharedArray<Float>(shape: [1000, 3])          // anonymous, zeros, C order
        samples.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = Float(index % 10) }
        }
        let spread: Double = try await python.call("stats.centre", samples)     // an ndarray view of the same pages
        print(samples[0, 0], spread)                                            // -4.5 2.87…
        let counts = try await python.call("stats.histogram", samples, 4, as: SharedArray<Int64>.self)
        print(counts.shape, counts.withUnsafeBufferPointer { Array($0) })       // [4] [900, 600, 600, 900]
        let np = try await python.import("numpy")
        print(try await np.sum(samples).decode(Double.self))                    // object operations take them too
        await python.shutdown()
    }

    static func namedSharedMemory() async throws {
        let frames = try SharedArray<UInt8>(shape: [480, 640, 3], name: "camera-frames")   // this process owns it
        let lock = try SharedLock(creating: "camera-lock")
        let ready = try SharedEvent(creating: "camera-ready")
        // … a Python process runs the block below …
        if try await ready.wait(timeout: .milliseconds(500)) {                 // any timeout, below a second too
            let red = try await lock.withLock(timeout: .seconds(1)) { frames[0, 0, 0] }
            print(red ?? 0)                                                     // 255
        }
        let results = try SharedArray<Double>(opening: "results")               // made by Python, owned by Python
        _ = results
    }

    static func replSessions(longJob: String) async throws {
        let session = try await REPLSession.start(setup: "import math, time")   // a process of its own, or REPLSession(process:)
        try await session.execute("r = 2")
        let result = try await session.execute("print('area:')\nmath.pi * r ** 2")
        print(result.value ?? "")      // "12.566370614359172", the repr of the final expression
        print(result.standardOutput)   // "area:\n" (and .standardError, and .output in the order it was written)
        print(try await session.execute("def f():").isIncomplete)             // true: needs more lines, not an error
        try await session.execute(longJob) { piece in print(piece.text, terminator: "") }   // output as it comes
        try await session.execute("time.sleep(60)", timeout: .seconds(1))     // KeyboardInterrupt; the session lives on
        session.interrupt()                                                    // Ctrl-C from another task
        session.inputHandler = { prompt in "Ada" }                             // feeds input() and sys.stdin
    }
}
