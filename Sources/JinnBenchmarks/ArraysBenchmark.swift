import Foundation
import Jinn

/// Handing a Float32 array from Swift to numpy through shared memory, side by side with sending the same bytes
/// through the channel, interleaved call by call: a call that returns `a.nbytes` (the hand-off alone) and one that
/// returns `a.sum()` (the hand-off and a pass over the numbers). After each channel call an untimed empty call lets
/// Python free the bytes it received, so that neither kind of call pays for the other's clean-up.
enum ArraysBenchmark {
    static let module = PythonModule(name: "bench", source: """
        import numpy

        def nbytes(a):
            return int(a.nbytes)

        def total(a):
            return float(a.sum())

        def nbytes_of_bytes(data):
            return int(numpy.frombuffer(data, dtype=numpy.float32).nbytes)

        def total_of_bytes(data):
            return float(numpy.frombuffer(data, dtype=numpy.float32).sum())

        def settle():
            pass
        """)

    static func run() async throws {
        let python = try await PythonInterpreter.system()
        let environment = ProcessInfo.processInfo.environment
        let repetitions = Int(environment["JINN_BENCH_ROUNDS"] ?? "") ?? 5
        var program = PythonProgram.server(setup: "import numpy")
        try program.add(module)
        var options = LaunchOptions()
        options.standardOutput = .null
        options.standardError = .null
        options.maximumMessageSize = 512 << 20
        let process = try await PythonProcess.start(program, interpreter: python, options: options)

        var rows = [["Float32 array", "shared", "channel", "ratio", "channel / shared", "target"]]
        for mebibytes in [1, 16, 256] {
            let count = mebibytes << 18
            let array = try SharedArray<Float>(shape: [count])
            array.withUnsafeMutableBufferPointer { buffer in
                for index in buffer.indices { buffer[index] = Float(index % 7) }
            }
            let data = array.withUnsafeBufferPointer { Data(buffer: $0) }
            // The first calls map the segment and touch its pages in Python; both sides warm up alike.
            for _ in 0..<2 {
                _ = try await process.call("bench.total", array, as: Double.self)
                _ = try await process.call("bench.total_of_bytes", data, as: Double.self)
            }
            // The hand-off alone, before any channel call has moved this many bytes through the caches.
            var alone = Samples()
            for _ in 0..<(repetitions * 8) {
                alone.add(try await measure { _ = try await process.call("bench.nbytes", array, as: Int.self) })
            }
            let calls = max(5, repetitions * 64 / mebibytes)
            var sharedSize = Samples(), channelSize = Samples(), sharedSum = Samples(), channelSum = Samples()
            for _ in 0..<calls {
                // Shared calls are cheap: four of each per channel call give their median as many samples.
                for _ in 0..<4 {
                    sharedSize.add(try await measure { _ = try await process.call("bench.nbytes", array, as: Int.self) })
                }
                channelSize.add(try await measure {
                    _ = try await process.call("bench.nbytes_of_bytes", data, as: Int.self)
                })
                // Python frees the bytes after its reply: the next measurement must not pay for that.
                try await process.call("bench.settle")
                for _ in 0..<4 {
                    sharedSum.add(try await measure { _ = try await process.call("bench.total", array, as: Double.self) })
                }
                channelSum.add(try await measure {
                    _ = try await process.call("bench.total_of_bytes", data, as: Double.self)
                })
                try await process.call("bench.settle")
            }
            rows.append(["\(mebibytes) MiB, a.nbytes alone, p50", formatDuration(alone.median), "", "", "", ""])
            rows.append(["\(mebibytes) MiB, a.nbytes, p50", formatDuration(sharedSize.median),
                         formatDuration(channelSize.median), formatRatio(sharedSize.median, channelSize.median),
                         formatRatio(channelSize.median, sharedSize.median), mebibytes == 256 ? "≥ 100×" : ""])
            rows.append(["\(mebibytes) MiB, a.sum(), p50", formatDuration(sharedSum.median),
                         formatDuration(channelSum.median), formatRatio(sharedSum.median, channelSum.median),
                         formatRatio(channelSum.median, sharedSum.median), ""])
        }
        await process.shutdown()
        printTable(rows)
        print("interpreter: \(python.executable) (\(python.version)); shared: a SharedArray<Float> argument (an"
              + " ndarray view in Python); channel: the same bytes as a Data argument, numpy.frombuffer in Python;"
              + " \(repetitions) × 64 / MiB channel calls of each kind (at least 5) and four times as many shared ones")
    }
}
