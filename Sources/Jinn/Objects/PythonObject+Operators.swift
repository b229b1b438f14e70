/// Python's operators on objects. Each crosses to the process once; the operands may be objects of the process and
/// Swift values (`try await samples * 2`, `try await 1 - samples`).
///
/// ```swift
/// let scaled = try await samples * 2 + 1
/// let product = try await a.matrixMultiplied(by: b)   // a @ b
/// if try await total > 100 { … }
/// ```
///
/// Python operators that Swift lacks are methods: ``floorDivided(by:)`` (`//`), ``raised(to:)`` (`**`) and
/// ``matrixMultiplied(by:)`` (`@`). Comparisons return the truth of Python's result (`bool(a < b)`); for the
/// element-wise comparisons of numpy arrays call numpy (`np.less(a, b)`).
extension PythonObject {
    /// The sum, Python's `lhs + rhs` (numpy arrays add element-wise).
    public static func + (lhs: PythonObject, rhs: PythonObject) async throws(JinnError) -> PythonObject {
        try await operate("add", [lhs, rhs])
    }

    /// The sum, Python's `lhs + rhs` (numpy arrays add element-wise).
    public static func + (lhs: PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError)
        -> PythonObject
    {
        try await operate("add", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// The sum, Python's `lhs + rhs` (numpy arrays add element-wise).
    public static func + (lhs: some PythonObjectConvertible, rhs: PythonObject) async throws(JinnError)
        -> PythonObject
    {
        try await operate("add", [PythonObject(.init(converting: lhs), process: nil), rhs])
    }

    /// The difference, Python's `lhs - rhs`.
    public static func - (lhs: PythonObject, rhs: PythonObject) async throws(JinnError) -> PythonObject {
        try await operate("sub", [lhs, rhs])
    }

    /// The difference, Python's `lhs - rhs`.
    public static func - (lhs: PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError)
        -> PythonObject
    {
        try await operate("sub", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// The difference, Python's `lhs - rhs`.
    public static func - (lhs: some PythonObjectConvertible, rhs: PythonObject) async throws(JinnError)
        -> PythonObject
    {
        try await operate("sub", [PythonObject(.init(converting: lhs), process: nil), rhs])
    }

    /// The product, Python's `lhs * rhs` (element-wise for numpy arrays).
    public static func * (lhs: PythonObject, rhs: PythonObject) async throws(JinnError) -> PythonObject {
        try await operate("mul", [lhs, rhs])
    }

    /// The product, Python's `lhs * rhs` (element-wise for numpy arrays).
    public static func * (lhs: PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError)
        -> PythonObject
    {
        try await operate("mul", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// The product, Python's `lhs * rhs` (element-wise for numpy arrays).
    public static func * (lhs: some PythonObjectConvertible, rhs: PythonObject) async throws(JinnError)
        -> PythonObject
    {
        try await operate("mul", [PythonObject(.init(converting: lhs), process: nil), rhs])
    }

    /// The quotient, Python's `lhs / rhs` (true division: `1 / 2` is `0.5`).
    public static func / (lhs: PythonObject, rhs: PythonObject) async throws(JinnError) -> PythonObject {
        try await operate("truediv", [lhs, rhs])
    }

    /// The quotient, Python's `lhs / rhs` (true division: `1 / 2` is `0.5`).
    public static func / (lhs: PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError)
        -> PythonObject
    {
        try await operate("truediv", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// The quotient, Python's `lhs / rhs` (true division: `1 / 2` is `0.5`).
    public static func / (lhs: some PythonObjectConvertible, rhs: PythonObject) async throws(JinnError)
        -> PythonObject
    {
        try await operate("truediv", [PythonObject(.init(converting: lhs), process: nil), rhs])
    }

    /// The remainder, Python's `lhs % rhs` (its sign is the divisor's, as in Python).
    public static func % (lhs: PythonObject, rhs: PythonObject) async throws(JinnError) -> PythonObject {
        try await operate("mod", [lhs, rhs])
    }

    /// The remainder, Python's `lhs % rhs` (its sign is the divisor's, as in Python).
    public static func % (lhs: PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError)
        -> PythonObject
    {
        try await operate("mod", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// The remainder, Python's `lhs % rhs` (its sign is the divisor's, as in Python).
    public static func % (lhs: some PythonObjectConvertible, rhs: PythonObject) async throws(JinnError)
        -> PythonObject
    {
        try await operate("mod", [PythonObject(.init(converting: lhs), process: nil), rhs])
    }

    /// Whether Python's `lhs == rhs` is true.
    public static func == (lhs: PythonObject, rhs: PythonObject) async throws(JinnError) -> Bool {
        try await test("eq", [lhs, rhs])
    }

    /// Whether Python's `lhs == rhs` is true.
    public static func == (lhs: PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError) -> Bool {
        try await test("eq", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// Whether Python's `lhs == rhs` is true.
    public static func == (lhs: some PythonObjectConvertible, rhs: PythonObject) async throws(JinnError) -> Bool {
        try await test("eq", [PythonObject(.init(converting: lhs), process: nil), rhs])
    }

    /// Whether Python's `lhs != rhs` is true.
    public static func != (lhs: PythonObject, rhs: PythonObject) async throws(JinnError) -> Bool {
        try await test("ne", [lhs, rhs])
    }

    /// Whether Python's `lhs != rhs` is true.
    public static func != (lhs: PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError) -> Bool {
        try await test("ne", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// Whether Python's `lhs != rhs` is true.
    public static func != (lhs: some PythonObjectConvertible, rhs: PythonObject) async throws(JinnError) -> Bool {
        try await test("ne", [PythonObject(.init(converting: lhs), process: nil), rhs])
    }

    /// Whether Python's `lhs < rhs` is true.
    public static func < (lhs: PythonObject, rhs: PythonObject) async throws(JinnError) -> Bool {
        try await test("lt", [lhs, rhs])
    }

    /// Whether Python's `lhs < rhs` is true.
    public static func < (lhs: PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError) -> Bool {
        try await test("lt", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// Whether Python's `lhs < rhs` is true.
    public static func < (lhs: some PythonObjectConvertible, rhs: PythonObject) async throws(JinnError) -> Bool {
        try await test("lt", [PythonObject(.init(converting: lhs), process: nil), rhs])
    }

    /// Whether Python's `lhs <= rhs` is true.
    public static func <= (lhs: PythonObject, rhs: PythonObject) async throws(JinnError) -> Bool {
        try await test("le", [lhs, rhs])
    }

    /// Whether Python's `lhs <= rhs` is true.
    public static func <= (lhs: PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError) -> Bool {
        try await test("le", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// Whether Python's `lhs <= rhs` is true.
    public static func <= (lhs: some PythonObjectConvertible, rhs: PythonObject) async throws(JinnError) -> Bool {
        try await test("le", [PythonObject(.init(converting: lhs), process: nil), rhs])
    }

    /// Whether Python's `lhs > rhs` is true.
    public static func > (lhs: PythonObject, rhs: PythonObject) async throws(JinnError) -> Bool {
        try await test("gt", [lhs, rhs])
    }

    /// Whether Python's `lhs > rhs` is true.
    public static func > (lhs: PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError) -> Bool {
        try await test("gt", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// Whether Python's `lhs > rhs` is true.
    public static func > (lhs: some PythonObjectConvertible, rhs: PythonObject) async throws(JinnError) -> Bool {
        try await test("gt", [PythonObject(.init(converting: lhs), process: nil), rhs])
    }

    /// Whether Python's `lhs >= rhs` is true.
    public static func >= (lhs: PythonObject, rhs: PythonObject) async throws(JinnError) -> Bool {
        try await test("ge", [lhs, rhs])
    }

    /// Whether Python's `lhs >= rhs` is true.
    public static func >= (lhs: PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError) -> Bool {
        try await test("ge", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// Whether Python's `lhs >= rhs` is true.
    public static func >= (lhs: some PythonObjectConvertible, rhs: PythonObject) async throws(JinnError) -> Bool {
        try await test("ge", [PythonObject(.init(converting: lhs), process: nil), rhs])
    }

    /// Adds in place, Python's `lhs += rhs`: a numpy array changes itself, an immutable value is replaced.
    public static func += (lhs: inout PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError) {
        lhs = try await operate("iadd", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// Subtracts in place, Python's `lhs -= rhs`.
    public static func -= (lhs: inout PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError) {
        lhs = try await operate("isub", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// Multiplies in place, Python's `lhs *= rhs`.
    public static func *= (lhs: inout PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError) {
        lhs = try await operate("imul", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// Divides in place, Python's `lhs /= rhs`.
    public static func /= (lhs: inout PythonObject, rhs: some PythonObjectConvertible) async throws(JinnError) {
        lhs = try await operate("itruediv", [lhs, PythonObject(.init(converting: rhs), process: nil)])
    }

    /// The negation, Python's `-object`.
    public static prefix func - (operand: PythonObject) async throws(JinnError) -> PythonObject {
        try await operate("neg", [operand])
    }

    /// Python's floor division, `self // divisor`.
    public func floorDivided(by divisor: any PythonObjectConvertible) async throws(JinnError) -> PythonObject {
        try await Self.operate("floordiv", [self, PythonObject(.init(converting: divisor), process: nil)])
    }

    /// Python's power, `self ** exponent`.
    public func raised(to exponent: any PythonObjectConvertible) async throws(JinnError) -> PythonObject {
        try await Self.operate("pow", [self, PythonObject(.init(converting: exponent), process: nil)])
    }

    /// Python's matrix product, `self @ other` (numpy's `matmul`).
    public func matrixMultiplied(by other: any PythonObjectConvertible) async throws(JinnError) -> PythonObject {
        try await Self.operate("matmul", [self, PythonObject(.init(converting: other), process: nil)])
    }
}
