import Foundation
import Jinn
import Testing

/// Python objects held through handles, as a user's package uses them.
@Suite struct ObjectTests {
    static let module = """
        import enum, time

        class Color(enum.IntEnum):
            RED = 1

        class Counter:
            def __init__(self, start=0):
                self.total = start
                self.label = "counter"
            def add(self, n=1, *, times=1):
                self.total += n * times
                return self.total
            def itself(self):
                return self
            async def later(self, n):
                return self.total + n

        class Box:
            pass

        class Recorder:
            def __init__(self):
                self.events = []
            def __enter__(self):
                self.events.append("enter")
                return "inside"
            def __exit__(self, kind, error, traceback):
                self.events.append("exit:" + ("none" if kind is None else "%s:%s" % (kind.__name__, error)))
                return False

        def numbers(n):
            yield from range(n)

        def failing_after(n):
            yield from range(n)
            raise ValueError("no more after %d" % n)

        def stubborn(seconds):
            try:
                time.sleep(seconds)
            except KeyboardInterrupt:
                pass
            return Box()

        def objects(n):
            return [Box() for _ in range(n)]
        """

    @Test func numpyThroughHandles() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let np = try await python.import("numpy")
        let samples = try await np.linspace(0, 1, num: 5)
        #expect(try await samples.decode([Double].self) == [0, 0.25, 0.5, 0.75, 1])
        #expect(try await samples.mean().decode(Double.self) == 0.5)
        #expect(try await np.pi.decode(Double.self) == Double.pi)
        #expect(try await python.evaluate("numpy.pi", as: Double.self) == Double.pi)
        let solve = try await python.object("numpy.linalg.solve")
        let x = try await solve([[3.0, 1.0], [1.0, 2.0]], [9.0, 8.0])
        #expect(try await x.decode([Double].self) == [2, 3])
        let y = try await np.linalg.solve(np.array([[3.0, 1.0], [1.0, 2.0]]), [9.0, 8.0])
        #expect(try await y.decode([Double].self) == [2, 3])
    }
}

extension ObjectTests {
    @Test func plainDataComesBackAsValuesAndTheRestAsHandles() async throws {
        let python = try await startServer(module: Self.module, setup: "import numpy")
        defer { Task { await python.shutdown() } }
        let np = try await python.import("numpy")
        let mean = try await np.mean([1.0, 2.0, 4.5])
        #expect(mean.debugDescription.hasPrefix("PythonObject(2.5"))
        #expect(try await mean.decode(Double.self) == 2.5)
        let list = try await python.evaluate("[1, 'two', (3.0, None), {4}]")
        #expect(try await list.decode(PythonValue.self) == [1, "two", .tuple([3.0, nil]), .set([4])])
        let array = try await np.arange(3)
        #expect(array.debugDescription.contains("numpy.ndarray"))
        let red = try await python.evaluate("user.Color.RED") // an IntEnum member keeps its name
        #expect(try await red.name.decode(String.self) == "RED")
        #expect(try await red.decode(Int.self) == 1)
        let mixed = try await python.evaluate("[1, numpy.arange(2)]")
        #expect(mixed.debugDescription.contains("list"))
        #expect(try await mixed[1].decode([Int].self) == [0, 1])
    }

    @Test func attributesAreReadSetAndDeleted() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let user = try await python.import("user")
        let counter = try await user.Counter(10)
        #expect(try await counter.total.decode(Int.self) == 10)
        try await counter.setAttribute("total", to: 40)
        #expect(try await counter.add(2, times: 3).decode(Int.self) == 46)
        try await counter.setAttribute("extra", to: [1, 2])
        #expect(try await counter.extra.decode([Int].self) == [1, 2])
        try await counter.deleteAttribute("extra")
        let missing = await failure { () async throws(JinnError) in _ = try await counter.extra.fetch() }
        guard case .python(let exception, _)? = missing else {
            Issue.record("expected an AttributeError, got \(String(describing: missing))")
            return
        }
        #expect(exception.typeName == "AttributeError")
        #expect(exception.message.contains("'extra'"))
        #expect(exception.frames.allSatisfy { !$0.file.contains("<jinn>/jinn/") }, "\(exception.frames)")
        // A path is read when an operation uses it, not when it is written.
        let nowhere = counter.no.such.path
        let error = await failure { () async throws(JinnError) in try await nowhere() }
        guard case .python(let attributeError, _)? = error else {
            Issue.record("expected an AttributeError, got \(String(describing: error))")
            return
        }
        #expect(attributeError.typeName == "AttributeError" && attributeError.message.contains("'no'"))
        // A name that PythonObject's members hide is still reachable.
        #expect(try await counter.attribute("label").decode(String.self) == "counter")
    }

    @Test func itemsAndSlices() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let np = try await python.import("numpy")
        let matrix = try await np.arange(12).reshape(3, 4)
        #expect(try await matrix[1, 2].decode(Int.self) == 6)
        #expect(try await matrix[0].decode([Int].self) == [0, 1, 2, 3])
        #expect(try await matrix[1..<3, 0].decode([Int].self) == [4, 8])
        #expect(try await matrix[..<1].decode([[Int]].self) == [[0, 1, 2, 3]])
        #expect(try await matrix[2...].decode([[Int]].self) == [[8, 9, 10, 11]])
        #expect(try await matrix[-1, -2...(-1)].decode([Int].self) == [10, 11])
        #expect(try await matrix[PythonObject.slice(), 3].decode([Int].self) == [3, 7, 11])
        #expect(try await matrix[0, PythonObject.slice(nil, nil, step: 2)].decode([Int].self) == [0, 2])
        #expect(try await matrix[...].length() == 3)
        try await matrix.setItem(0, 0, to: 100)
        try await matrix.setItem(1, ..<2, to: [7, 8])
        #expect(try await matrix.decode([[Int]].self) == [[100, 1, 2, 3], [7, 8, 6, 7], [8, 9, 10, 11]])
        // Plain data comes back as a value: a copy, whose items are read in the process it came from.
        let copy = try await python.evaluate("dict")(a: 1)
        #expect(try await copy["a"].decode(Int.self) == 1)
        let refused = await failure { () async throws(JinnError) in try await copy.setItem("b", to: 2) }
        guard case .valueConversion(let message)? = refused else {
            Issue.record("expected a refusal to change a copy, got \(String(describing: refused))")
            return
        }
        #expect(message.contains("asHandle"), "\(message)")
        // A handle to a Python dict made from it changes in Python.
        let dictionary = try await copy.asHandle()
        try await dictionary.attribute("update")(["b": 2])
        try await dictionary.deleteItem("a")
        try await dictionary.setItem("c", to: 3)
        #expect(try await dictionary.decode([String: Int].self) == ["b": 2, "c": 3])
        let fresh = try await PythonObject(["x"]).asHandle(in: python)
        try await fresh.append("y")
        #expect(try await fresh.decode([String].self) == ["x", "y"])
    }

    @Test func builtinsAndOperators() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let np = try await python.import("numpy")
        let a = try await np.array([1.0, 2.0, 3.0])
        #expect(try await a.length() == 3)
        #expect(try await a.repr() == "array([1., 2., 3.])")
        #expect(try await a.string() == "[1. 2. 3.]")
        #expect(try await a.contains(2.0))
        #expect(try await !(a.contains(5)))
        #expect(try await (a + a).decode([Double].self) == [2, 4, 6])
        #expect(try await (a - 1).decode([Double].self) == [0, 1, 2])
        #expect(try await (10 - a).decode([Double].self) == [9, 8, 7])
        #expect(try await (a * 2).decode([Double].self) == [2, 4, 6])
        #expect(try await (a / 2).decode([Double].self) == [0.5, 1, 1.5])
        #expect(try await (a % 2).decode([Double].self) == [1, 0, 1])
        #expect(try await a.floorDivided(by: 2).decode([Double].self) == [0, 1, 1])
        #expect(try await a.raised(to: 2).decode([Double].self) == [1, 4, 9])
        #expect(try await a.matrixMultiplied(by: a).decode(Double.self) == 14)
        #expect(try await (-a).decode([Double].self) == [-1, -2, -3])
        var b = try await np.zeros(2)
        let same = b
        try await b += 5
        #expect(try await same.decode([Double].self) == [5, 5])  // numpy adds in place
        let seven = try await python.evaluate("7")
        #expect(try await seven > 3)
        #expect(try await seven <= 7)
        #expect(try await seven == 7)
        #expect(try await 8 != seven)
        #expect(try await (seven * 6).decode(Int.self) == 42)
        #expect(try await seven.isTrue())
        #expect(try await !(python.evaluate("[]").isTrue()))
        let ambiguous = await failure { () async throws(JinnError) in _ = try await a.isTrue() }
        guard case .python(let exception, _)? = ambiguous else {
            Issue.record("expected a ValueError, got \(String(describing: ambiguous))")
            return
        }
        #expect(exception.typeName == "ValueError")
        let counter = try await python.import("user").Counter()
        #expect(try await counter.itself().isIdentical(to: counter))
    }

    @Test func iterationComesInBatches() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let user = try await python.import("user")
        var seen: [Int] = []
        for try await item in try await user.numbers(1000).iterate() {
            seen.append(try await item.decode(Int.self))
        }
        #expect(seen == Array(0..<1000))
        var one: [Int] = []
        for try await item in try await user.numbers(3).iterate(batchSize: 1) {
            one.append(try await item.decode(Int.self))
        }
        #expect(one == [0, 1, 2])
        var before: [Int] = []
        do {
            for try await item in try await user.failing_after(5).iterate() {
                before.append(try await item.decode(Int.self))
            }
            Issue.record("expected the iterator's ValueError")
        } catch {
            guard case .python(let exception, _) = error else { throw error }
            #expect(exception.typeName == "ValueError" && exception.message == "no more after 5")
        }
        #expect(before == [0, 1, 2, 3, 4])
        let np = try await python.import("numpy")
        var rows: [[Double]] = []
        for try await row in try await np.eye(2).iterate() { rows.append(try await row.decode([Double].self)) }
        #expect(rows == [[1, 0], [0, 1]])
        var empty = 0
        for try await _ in try await python.evaluate("[]").iterate() { empty += 1 }
        #expect(empty == 0)
    }

    @Test func contextManagersEnterAndExit() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let recorder = try await python.import("user").Recorder()
        let inside = try await recorder.withContext { value in try await value.decode(String.self) }
        #expect(inside == "inside")
        do {
            try await recorder.withContext { (_) async throws(JinnError) in
                throw JinnError.valueConversion("from Swift")
            }
            Issue.record("expected the body's error")
        } catch {
            guard case .valueConversion("from Swift") = error else { throw error }
        }
        let events = try await recorder.events.decode([String].self)
        #expect(events.count == 4)
        #expect(events[0...2] == ["enter", "exit:none", "enter"])
        #expect(events[3].hasPrefix("exit:SwiftError:value conversion failed: from Swift"))
        let file = try await python.evaluate("open")("/dev/null")
        try await file.withContext { (_) async throws(JinnError) in }
        #expect(try await file.closed.decode(Bool.self))
    }

    @Test func argumentsMixSwiftValuesHandlesAndKeywords() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let np = try await python.import("numpy")
        let a = try await np.ones(2)
        let b = try await np.arange(2)
        let joined = try await np.concatenate([a, b, PythonObject(ndarray: [7.0])])
        #expect(try await joined.decode([Double].self) == [1, 1, 0, 1, 7])
        let stacked = try await np.stack(PythonObject(tuple: [a, b]), axis: 1)
        #expect(try await stacked.decode([[Double]].self) == [[1, 0], [1, 1]])
        let table = try await python.evaluate("dict")(arrays: ["a": a], flag: true, none: PythonValue.none, missing: Int?.none)
        #expect(try await table["arrays"]["a"].decode([Double].self) == [1, 1])
        #expect(try await table["none"].decode(Int?.self) == nil)
        #expect(try await table["missing"].decode(Int?.self) == nil)
        let text = try await python.evaluate("'-'.join")(["x", "y"]).decode(String.self)
        #expect(text == "x-y")
        let counter = try await python.import("user").Counter(1)
        #expect(try await counter.later(2).decode(Int.self) == 3)  // async def: awaited
        let late = try await counter.add.call(arguments: [5], keywords: ["times": 2], timeout: .seconds(5))
        #expect(try await late.decode(Int.self) == 11)
        let misplaced = await failure { () async throws(JinnError) in _ = try await counter.add(times: 2, 1) }
        guard case .valueConversion? = misplaced else {
            Issue.record("expected a refused positional argument, got \(String(describing: misplaced))")
            return
        }
    }

    @Test func errorsAreTheUsualPythonErrors() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let np = try await python.import("numpy")
        let error = await failure { () async throws(JinnError) in _ = try await np.linalg.inv([[1.0, 2.0], [2.0, 4.0]]) }
        guard case .python(let exception, nil)? = error else {
            Issue.record("expected a LinAlgError, got \(String(describing: error))")
            return
        }
        #expect(exception.typeName == "numpy.linalg.LinAlgError")
        #expect(exception.message == "Singular matrix")
        #expect(!exception.frames.isEmpty)
        let missing = await failure { () async throws(JinnError) in _ = try await python.import("no_such_module") }
        guard case .python(let notFound, _)? = missing else {
            Issue.record("expected a ModuleNotFoundError, got \(String(describing: missing))")
            return
        }
        #expect(notFound.typeName == "ModuleNotFoundError")
        let sleep = try await python.object("time.sleep")
        let timedOut = await failure { () async throws(JinnError) in
            _ = try await sleep.call(arguments: [5], timeout: .milliseconds(200))
        }
        guard case .timedOut? = timedOut else {
            Issue.record("expected a time-out, got \(String(describing: timedOut))")
            return
        }
    }
}

extension ObjectTests {
    @Test func ndarraysDecodeThroughTheirBytes() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let np = try await python.import("numpy")
        #expect(try await np.arange(6).reshape(2, 3).decode([[Int]].self) == [[0, 1, 2], [3, 4, 5]])
        #expect(try await np.arange(4, dtype: "float32").decode([Float].self) == [0, 1, 2, 3])
        #expect(try await np.arange(4, dtype: "float32").decode([Double].self) == [0, 1, 2, 3])
        #expect(try await np.array([0.5, -2, 65504, 1e-7], dtype: "float16").decode([Float].self)
                == [0.5, -2, 65504, Float(sign: .plus, exponent: -24, significand: 2)])  // 1e-7 is subnormal
        #expect(try await np.arange(3, dtype: "int8").decode([Int].self) == [0, 1, 2])
        #expect(try await np.arange(3, dtype: "uint16").decode([Int32].self) == [0, 1, 2])
        #expect(try await np.arange(3).decode([Double].self) == [0, 1, 2])
        #expect(try await np.array([true, false]).decode([Bool].self) == [true, false])
        #expect(try await np.arange(3, dtype: ">i4").decode([Int32].self) == [0, 1, 2])  // big-endian
        #expect(try await np.arange(8).reshape(2, 2, 2).transpose().decode([[[Int]]].self)
                == [[[0, 4], [2, 6]], [[1, 5], [3, 7]]])  // not C-contiguous: copied once in Python
        #expect(try await np.zeros(PythonObject(tuple: [0, 3])).decode([[Double]].self) == [])
        #expect(try await python.evaluate("__import__('array').array('d', [1.5, 2.5])").decode([Double].self)
                == [1.5, 2.5])
        #expect(try await np.array(["a", "b"]).decode([String].self) == ["a", "b"])  // not numbers: tolist()
        let large = try await np.arange(1_000_000, dtype: "float64")
        let values = try await large.decode([Double].self)
        #expect(values.count == 1_000_000 && values[999_999] == 999_999 && values[123_456] == 123_456)
        let wide = try await np.arange(300_000).reshape(1000, 300).decode([[Int]].self)
        #expect(wide.count == 1000 && wide[999][299] == 299_999)
        let converted = try await np.arange(400_000, dtype: "int32").decode([Int].self)  // pieces, then converted
        #expect(converted.count == 400_000 && converted[399_999] == 399_999)
        let tooDeep = await failure { () async throws(JinnError) in _ = try await large.decode([[Double]].self) }
        guard case .valueConversion? = tooDeep else {
            Issue.record("expected a rank error, got \(String(describing: tooDeep))")
            return
        }

        let narrowing = await failure { () async throws(JinnError) in _ = try await np.linspace(0, 1, 3).decode([Float].self) }
        guard case .valueConversion(let message)? = narrowing else {
            Issue.record("expected a conversion error, got \(String(describing: narrowing))")
            return
        }
        #expect(message.contains("float32") && message.contains("float64"), "\(message)")
        let rank = await failure { () async throws(JinnError) in _ = try await np.eye(2).decode([Double].self) }
        guard case .valueConversion(let rankMessage)? = rank else {
            Issue.record("expected a conversion error, got \(String(describing: rank))")
            return
        }
        #expect(rankMessage.contains("rank 1") && rankMessage.contains("(2, 2)"), "\(rankMessage)")
        let overflow = await failure { () async throws(JinnError) in _ = try await np.array([1, 300]).decode([Int8].self) }
        guard case .valueConversion(let overflowMessage)? = overflow else {
            Issue.record("expected a conversion error, got \(String(describing: overflow))")
            return
        }
        #expect(overflowMessage.contains("300"), "\(overflowMessage)")
        let floats = await failure { () async throws(JinnError) in _ = try await np.ones(2).decode([Int].self) }
        guard case .valueConversion? = floats else {
            Issue.record("expected a conversion error, got \(String(describing: floats))")
            return
        }
        let opaque = await failure { () async throws(JinnError) in _ = try await python.import("user").Box().decode(Int.self) }
        guard case .valueConversion(let opaqueMessage)? = opaque else {
            Issue.record("expected a conversion error, got \(String(describing: opaque))")
            return
        }
        #expect(opaqueMessage.contains("user.Box"), "\(opaqueMessage)")
    }

    @Test func swiftArraysGoToPythonAsNDArrays() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let np = try await python.import("numpy")
        let matrix = try PythonObject(ndarray: [[1.0, 2.0], [3.0, 4.0]])
        #expect(try await np.linalg.det(matrix).decode(Double.self).rounded() == -2)
        let made = try await np.asarray(matrix)
        #expect(try await made.dtype.name.decode(String.self) == "float64")
        #expect(try await made.shape.decode([Int].self) == [2, 2])
        #expect(try await made.flags.writeable.decode(Bool.self))
        let bytes = try await np.asarray(PythonObject(ndarray: [[UInt8]](repeating: [1, 2, 3], count: 2)))
        #expect(try await bytes.dtype.name.decode(String.self) == "uint8")
        #expect(try await bytes.sum().decode(Int.self) == 12)
        let empty = try await np.asarray(PythonObject(ndarray: [[Float]]()))
        #expect(try await empty.shape.decode([Int].self) == [0, 0])
        let samples = (0..<200_000).map(Double.init)
        let total = try await np.sum(PythonObject(ndarray: samples)).decode(Double.self)
        #expect(total == samples.reduce(0, +))
        let ragged = await failure { () async throws(JinnError) in _ = try PythonObject(ndarray: [[1.0], [2.0, 3.0]]) }
        guard case .valueConversion? = ragged else {
            Issue.record("expected a refusal of ragged rows, got \(String(describing: ragged))")
            return
        }
        let strings = await failure { () async throws(JinnError) in _ = try PythonObject(ndarray: ["a"]) }
        guard case .valueConversion? = strings else {
            Issue.record("expected a refusal of strings, got \(String(describing: strings))")
            return
        }
    }

    struct Vector: PythonObjectConvertible, PythonObjectDecodable, Equatable {
        var values: [Double]
        init(_ values: [Double]) { self.values = values }
        var pythonObject: PythonObject {
            get throws(JinnError) { try PythonObject(ndarray: values) }
        }
        init(pythonObject object: PythonObject) async throws(JinnError) {
            values = try await object.decode([Double].self)
        }
    }

    struct Point: Codable, Equatable {
        var x: Double
        var y: Double
    }

    @Test func yourOwnTypesGoInAndComeOut() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let np = try await python.import("numpy")
        let cross = try await np.cross(Vector([1, 0, 0]), Vector([0, 1, 0])).decode(Vector.self)
        #expect(cross == Vector([0, 0, 1]))
        let json = try await python.import("json")
        let text = try await json.dumps(PythonObject(encoding: Point(x: 1, y: 2)), sort_keys: true)
        #expect(try await text.decode(String.self) == #"{"x": 1.0, "y": 2.0}"#)
        let point = try await json.loads(#"{"x": 3, "y": 4.5}"#).decode(Point.self)
        #expect(point == Point(x: 3, y: 4.5))
    }
}

extension ObjectTests {
    /// The number of objects Python keeps alive for handles, once the releases in flight have arrived.
    static func tableSize(_ python: PythonProcess, settlingAt expected: Int? = nil) async throws -> Int {
        var size = try await python.call("jinn._objects.table_size", as: Int.self)
        guard let expected else { return size }
        _ = try await eventually {
            size = try await python.call("jinn._objects.table_size", as: Int.self)
            return size == expected
        }
        return size
    }

    @Test func droppedHandlesLeaveTheTable() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let user = try await python.import("user")
        let before = try await Self.tableSize(python)
        // 100,000 handles: most come as the items of iterations, the rest from calls of several tasks at once.
        var made = 0
        for _ in 0..<9 {
            for try await box in try await user.objects(10_000).iterate() {
                #expect(box.debugDescription.contains("user.Box"))
                made += 1
            }
        }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let counter = try await user.Counter()
                    for _ in 0..<1250 { _ = try await counter.itself() }
                    return 1250
                }
            }
            for try await count in group { made += count }
        }
        #expect(made == 100_000)
        #expect(try await Self.tableSize(python, settlingAt: before) == before)
        // A handle that comes back again is counted again: dropping one copy keeps the object for the other.
        let counter = try await user.Counter(7)
        do {
            let again = try await counter.itself()
            #expect(try await again.total.decode(Int.self) == 7)
        }
        #expect(try await Self.tableSize(python, settlingAt: before + 1) == before + 1)
        #expect(try await counter.total.decode(Int.self) == 7)
    }

    @Test func releasesTakenByACallThatNeverLeftAreKept() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let user = try await python.import("user")
        let box = try await user.Box.fetch()
        let before = try await Self.tableSize(python)
        for _ in 0..<20 {
            do { _ = try await box() }  // a handle dropped at once: its release waits for the next operation
            let refused = Task { () async throws -> PythonObject in
                withUnsafeCurrentTask { $0?.cancel() }
                return try await box()  // takes the release along, and is never sent
            }
            guard case .failure(let error) = await refused.result, case .cancelled? = error as? JinnError else {
                Issue.record("expected a cancellation")
                return
            }
        }
        #expect(try await Self.tableSize(python, settlingAt: before) == before)
    }

    @Test func aLateReplyReleasesItsHandles() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        let stubborn = try await python.object("user.stubborn")
        let before = try await Self.tableSize(python)
        // The function ignores the interruption and returns a handle after the call has timed out.
        let error = await failure { () async throws(JinnError) in
            // Long beside the deadline, so that a timer delayed by a loaded machine still fires first.
            _ = try await stubborn.call(arguments: [2.0], timeout: .milliseconds(100))
        }
        guard case .timedOut? = error else {
            Issue.record("expected a time-out, got \(String(describing: error))")
            return
        }
        try await Task.sleep(for: .milliseconds(2100))
        #expect(try await Self.tableSize(python, settlingAt: before) == before)
    }

    @Test func aHandleAfterItsProcessEndedNamesTheEnd() async throws {
        let python = try await startServer(module: Self.module)
        let counter = try await python.import("user").Counter(1)
        await python.shutdown()
        let error = await failure { () async throws(JinnError) in _ = try await counter.add() }
        guard case .processNotRunning(let termination)? = error else {
            Issue.record("expected processNotRunning, got \(String(describing: error))")
            return
        }
        #expect(termination == .exited(0))
        #expect(try #require(error).description.contains("exited with status 0"))
    }

    @Test func aHandleIsRefusedByAnotherProcess() async throws {
        let first = try await startServer(module: Self.module)
        let second = try await startServer(module: Self.module)
        defer { Task { await first.shutdown(); await second.shutdown() } }
        let box = try await first.import("user").Box()
        let ids = try await second.import("builtins").id
        let error = await failure { () async throws(JinnError) in _ = try await ids(box) }
        guard case .valueConversion(let message)? = error else {
            Issue.record("expected a refusal, got \(String(describing: error))")
            return
        }
        #expect(message.contains("\(first.processIdentifier)") && message.contains("\(second.processIdentifier)"))
        let nested = await failure { () async throws(JinnError) in _ = try await ids(["inside": [box]]) }
        guard case .valueConversion? = nested else {
            Issue.record("expected a refusal, got \(String(describing: nested))")
            return
        }
        let swiftValue = try await ids(PythonObject([1, 2]))  // values made in Swift belong to no process
        #expect(try await swiftValue.decode(Int.self) > 0)
    }
}

extension ObjectTests {
    @Test func comparisonsOfOtherTypesKeepTheirOwnOperators() async throws {
        let python = try await startServer(module: Self.module)
        defer { Task { await python.shutdown() } }
        // PythonValue is PythonObjectConvertible: `.tuple(…)` and `.none` must still be PythonValue's own cases, and
        // `==` PythonValue's, in an async context where PythonObject's async `==` could be chosen.
        #expect(try await python.call("tuple", [1, 2]) == .tuple([1, 2]))
        #expect(try await python.call("json.loads", "null") == .none)
        #expect(try await python.call("len", "abc", as: Int.self) == 3)
    }
}
