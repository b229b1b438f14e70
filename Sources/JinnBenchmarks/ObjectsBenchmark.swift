import Foundation
import Jinn

/// Operations on Python objects through handles, each side by side with a plain call of the same function in the
/// same process, interleaved round by round.
enum ObjectsBenchmark {
    static let module = PythonModule(name: "bench", source: """
        import numpy

        class Counter:
            def __init__(self):
                self.total = 0
            def add(self, n):
                self.total += n
                return self.total

        counter = Counter()

        def total():
            return counter.total

        def linspace_list(start, stop, num):
            # What a user writes without handles: a bridge that turns the array into a list of Python floats.
            return numpy.linspace(start, stop, num).tolist()
        """)

    static func run() async throws {
        let python = try await PythonInterpreter.system()
        let environment = ProcessInfo.processInfo.environment
        let rounds = Int(environment["JINN_BENCH_ROUNDS"] ?? "") ?? 5
        let calls = Int(environment["JINN_BENCH_CALLS"] ?? "") ?? 2000
        var program = PythonProgram.server(setup: "import numpy")
        try program.add(module)
        var options = LaunchOptions()
        options.standardOutput = .null
        options.standardError = .null
        let process = try await PythonProcess.start(program, interpreter: python, options: options)
        let bench = try await process.import("bench")
        let counter = try await bench.counter.fetch()
        let np = try await process.import("numpy")
        let large = 1_000_000

        var handleRead = Samples(), plainRead = Samples(), handleMethod = Samples(), plainMethod = Samples()
        var handleSmall = Samples(), plainSmall = Samples(), handleLarge = Samples(), plainLarge = Samples()
        var decodeLarge = Samples()
        for round in 0...rounds {
            var read = Samples(), readCall = Samples(), method = Samples(), methodCall = Samples()
            var small = Samples(), smallCall = Samples(), big = Samples(), bigCall = Samples(), bigDecode = Samples()
            for _ in 0..<200 {
                _ = try await counter.total.decode(Int.self)
                _ = try await process.call("bench.total", as: Int.self)
                _ = try await counter.add(1)
                _ = try await process.call("bench.counter.add", 1, as: Int.self)
            }
            for _ in 0..<calls {
                read.add(try await measure { _ = try await counter.total.decode(Int.self) })
                readCall.add(try await measure { _ = try await process.call("bench.total", as: Int.self) })
                method.add(try await measure { _ = try await counter.add(1).decode(Int.self) })
                methodCall.add(try await measure { _ = try await process.call("bench.counter.add", 1, as: Int.self) })
            }
            for _ in 0..<max(50, calls / 10) {
                small.add(try await measure {
                    _ = try await np.linspace(0, 1, num: 1000).decode([Double].self)
                })
                smallCall.add(try await measure {
                    _ = try await process.call("bench.linspace_list", 0, 1, 1000, as: [Double].self)
                })
            }
            for _ in 0..<max(10, calls / 200) {
                big.add(try await measure {
                    _ = try await np.linspace(0, 1, num: large).decode([Double].self)
                })
                let array = try await np.linspace(0, 1, num: large)
                bigDecode.add(try await measure { _ = try await array.decode([Double].self) })
                bigCall.add(try await measure {
                    _ = try await process.call("bench.linspace_list", 0, 1, large, as: [Double].self)
                })
            }
            guard round > 0 else { continue }
            handleRead.add(read.median)
            plainRead.add(readCall.median)
            handleMethod.add(method.median)
            plainMethod.add(methodCall.median)
            handleSmall.add(small.median)
            plainSmall.add(smallCall.median)
            handleLarge.add(big.median)
            plainLarge.add(bigCall.median)
            decodeLarge.add(bigDecode.median)
        }
        await process.shutdown()

        let bytes = Double(large * MemoryLayout<Double>.size)
        printTable([
            ["", "handle", "plain call", "ratio", "target"],
            ["attribute read (counter.total), p50", formatDuration(handleRead.median),
             formatDuration(plainRead.median), formatRatio(handleRead.median, plainRead.median), ""],
            ["method call (counter.add(1)), p50", formatDuration(handleMethod.median),
             formatDuration(plainMethod.median), formatRatio(handleMethod.median, plainMethod.median), "≤ 1.3×"],
            ["np.linspace + decode([Double]), 1,000, p50", formatDuration(handleSmall.median),
             formatDuration(plainSmall.median), formatRatio(handleSmall.median, plainSmall.median), ""],
            ["np.linspace + decode([Double]), 1,000,000, p50", formatDuration(handleLarge.median),
             formatDuration(plainLarge.median), formatRatio(handleLarge.median, plainLarge.median), ""],
            ["  decode([Double]) alone, 1,000,000, p50", formatDuration(decodeLarge.median), "", "", ""],
            ["  decoding rate (8 MB / decode)", String(format: "%.2f GB/s", bytes / decodeLarge.median / 1e9),
             String(format: "%.2f GB/s", bytes / plainLarge.median / 1e9), "", "≥ 1 GB/s"],
        ])
        print("interpreter: \(python.executable) (\(python.version)); \(rounds) rounds of \(calls) calls; the plain"
              + " calls are bench.total(), bench.counter.add(1) and a bridge returning numpy.linspace(…).tolist();"
              + " figures are the median of the rounds' p50s")
    }
}
