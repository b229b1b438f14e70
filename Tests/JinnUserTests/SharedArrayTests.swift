import Foundation
import Jinn
import Testing

/// Shared arrays between Swift and numpy, as a user's package uses them.
@Suite struct SharedArrayTests {
    static let module = """
        import jinn, numpy, time

        kept = []

        def describe(a):
            return [a.dtype.str, list(a.shape), a.flags.c_contiguous, a.flags.f_contiguous, float(a.sum())]

        def fill(a, value):
            a[...] = value
            return int(a.size)

        def keep(a):
            kept.append(a)
            return True

        def kept_sum():
            return float(kept[-1].sum())

        def descriptors():
            import os
            return len(os.listdir("/proc/self/fd"))

        def nbytes(a, *, scale=1):
            return int(a.nbytes) * scale

        def linspace(n):
            return numpy.linspace(0, 1, n)

        def fortran():
            return numpy.asfortranarray(numpy.arange(6, dtype=numpy.float32).reshape(2, 3))

        def stubborn(n):
            try:
                time.sleep(30)
            except KeyboardInterrupt:
                pass  # returns all the same, after its call timed out
            return numpy.zeros(n)

        def strings():
            return numpy.array(["a", "b"])

        def open_named(name):
            return describe(jinn.shared_array(name))

        def write_named(name, value):
            a = jinn.shared_array(name)
            a[...] = value
            return True

        def create_named(name):
            a = jinn.create_shared_array(name, (3, 2), "int16", "F")
            a[...] = numpy.arange(6, dtype=numpy.int16).reshape(3, 2, order="F")
            kept.append(a)
            return True
        """

    @Test func elementsSubscriptsAndBuffers() throws {
        let grid = try SharedArray<Int32>(shape: [2, 3])
        #expect(grid.count == 6 && grid.strides == [3, 1])
        grid[1, 2] = 7
        grid[indices: [0, 1]] = 5
        #expect(grid.withUnsafeBufferPointer { Array($0) } == [0, 5, 0, 0, 0, 7])
        let columns = try SharedArray<Double>(shape: [2, 3], order: .fortran)
        #expect(columns.strides == [1, 2])
        columns.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = Double(index) }
        }
        #expect(columns[1, 0] == 1 && columns[0, 1] == 2 && columns[1, 2] == 5)
        let scalar = try SharedArray<Bool>(shape: [])
        scalar[] = true
        #expect(scalar.count == 1 && scalar[])
        let empty = try SharedArray<Float>(shape: [0, 4])
        #expect(empty.count == 0)
    }

    @Test func anArgumentArrivesAsAnNDArrayView() async throws {
        let python = try await startServer(module: Self.module)
        defer { python.kill() }
        let grid = try SharedArray<Float>(shape: [2, 3])
        grid[1, 1] = 2.5
        let described = try await python.call("user.describe", grid)
        #expect(described == ["<f4", [2, 3], true, false, 2.5])
        // Python writes the same pages Swift reads.
        #expect(try await python.call("user.fill", grid, 1.5, as: Int.self) == 6)
        #expect(grid[0, 0] == 1.5 && grid[1, 2] == 1.5)
        #expect(try await python.call("user.nbytes", grid, keywords: ["scale": 2], as: Int.self) == 48)
        let columns = try SharedArray<Int64>(shape: [3, 2], order: .fortran)
        #expect(try await python.call("user.describe", columns) == ["<i8", [3, 2], false, true, 0.0])
        #if !(os(macOS) && arch(x86_64))
        let halves = try SharedArray<Float16>(shape: [2])
        halves[1] = 0.5
        #expect(try await python.call("user.describe", halves) == ["<f2", [2], true, true, 0.5])
        #endif
        // Python maps the segment once and keeps no descriptor open for it, however many calls take it.
        let open = try await python.call("user.descriptors", as: Int.self)
        for _ in 0..<3 { _ = try await python.call("user.nbytes", grid) }
        #expect(try await python.call("user.descriptors", as: Int.self) == open)
    }

    @Test func objectOperationsTakeSharedArraysToo() async throws {
        let python = try await startServer(setup: "import numpy")
        defer { python.kill() }
        let np = try await python.import("numpy")
        let values = try SharedArray<Double>(shape: [2, 2])
        values.withUnsafeMutableBufferPointer { $0.update(repeating: 1.5) }
        #expect(try await np.sum(values).decode(Double.self) == 6)
        _ = try await np.multiply(values, 2, out: values)  // numpy writes into the shared pages
        #expect(values[1, 1] == 3)
        let shape = try await np.shape(values).decode([Int].self)
        #expect(shape == [2, 2])
    }

    @Test func resultsArriveInSharedMemory() async throws {
        let python = try await startServer(module: Self.module)
        defer { python.kill() }
        let line = try await python.call("user.linspace", 5, as: SharedArray<Double>.self)
        #expect(line.shape == [5] && line.memory.name == nil)
        #expect(line.withUnsafeBufferPointer { Array($0) } == [0, 0.25, 0.5, 0.75, 1])
        // float64 into Float: converted while it is copied, once.
        let narrow = try await python.call("user.linspace", 3, as: SharedArray<Float>.self)
        #expect(narrow.withUnsafeBufferPointer { Array($0) } == [0, 0.5, 1])
        let columns = try await python.call("user.fortran", as: SharedArray<Float>.self)
        #expect(columns.order == .fortran && columns.shape == [2, 3] && columns[1, 2] == 5)
        // And back: a result passed as an argument.
        #expect(try await python.call("user.describe", columns) == ["<f4", [2, 3], false, true, 15.0])
        let error = await failure { () async throws(JinnError) in
            _ = try await python.call("user.strings", as: SharedArray<Float>.self)
        }
        guard case .python(let exception, _)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(exception.typeName == "TypeError" && exception.message.contains("<U1"))
        let integers = await failure { () async throws(JinnError) in
            _ = try await python.call("user.linspace", 3, as: SharedArray<Int32>.self)
        }
        #expect(integers?.localizedDescription.contains("does not convert to int32") == true)
    }

    @Test func aResultThatComesTooLateIsClosed() async throws {
        let python = try await startServer(module: Self.module)
        defer { python.kill() }
        func descriptors() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? -1 }
        _ = try await python.call("user.linspace", 3, as: SharedArray<Double>.self)
        let before = descriptors()
        let error = await failure { () async throws(JinnError) in
            _ = try await python.call("user.stubborn", 4, timeout: .milliseconds(100), as: SharedArray<Double>.self)
        }
        guard case .timedOut? = error else { Issue.record("\(String(describing: error))"); return }
        // Its segment still arrives; a later result's receipt reads it and closes it.
        let closed = try await eventually {
            _ = try await python.call("user.linspace", 1, as: SharedArray<Double>.self)
            return descriptors() == before
        }
        #expect(closed)
    }

    @Test func namedArraysOpenOnBothSides() async throws {
        let python = try await startServer(module: Self.module)
        defer { python.kill() }
        let name = "jinn-test-\(getpid())-named"
        let array = try SharedArray<Double>(shape: [4], name: name)
        array[3] = 4
        #expect(try await python.call("user.open_named", name) == ["<f8", [4], true, true, 4.0])
        #expect(try await python.call("user.write_named", name, 2.0, as: Bool.self))
        #expect(array.withUnsafeBufferPointer { Array($0) } == [2, 2, 2, 2])
        let reopened = try SharedArray<Double>(opening: name)
        #expect(reopened[0] == 2 && !reopened.memory.isOwner)

        let pythonName = "jinn-test-\(getpid())-py"
        #expect(try await python.call("user.create_named", pythonName, as: Bool.self))
        let fromPython = try SharedArray<Int16>(opening: pythonName)
        #expect(fromPython.shape == [3, 2] && fromPython.order == .fortran)
        #expect(fromPython[2, 1] == 5 && fromPython[1, 0] == 1)
    }

    @Test func closingDefersWhileViewsExist() async throws {
        let python = try await startServer(module: Self.module)
        defer { python.kill() }
        var array: SharedArray<Double>? = try SharedArray<Double>(shape: [1000])
        array!.withUnsafeMutableBufferPointer { $0.update(repeating: 1) }
        #expect(try await python.call("user.keep", array!, as: Bool.self))
        // Swift closes and drops its array while Python still holds a view: Python's mapping is its own and stays.
        array!.memory.close()
        let error = await failure { () async throws(JinnError) in
            _ = try await python.call("user.nbytes", array!, as: Int.self)
        }
        #expect(error?.localizedDescription.contains("was closed") == true)
        array = nil
        #expect(try await python.call("user.kept_sum", as: Double.self) == 1000)
    }
}
