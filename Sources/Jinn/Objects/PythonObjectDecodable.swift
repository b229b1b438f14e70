/// A Swift type whose values are read from Python objects: ``PythonObject/decode(_:)`` makes them.
///
/// Where `Decodable` reads plain data, an initializer of this protocol may read anything the object offers, with
/// as many operations as it needs:
///
/// ```swift
/// struct Fit: PythonObjectDecodable {
///     var slope: Double
///     var intercept: Double
///     init(pythonObject fit: PythonObject) async throws(JinnError) {
///         slope = try await fit.slope.decode(Double.self)
///         intercept = try await fit.intercept.decode(Double.self)
///     }
/// }
/// let fit = try await scipy.stats.linregress(x, y).decode(Fit.self)
/// ```
///
/// A type that is both `Decodable` and `PythonObjectDecodable` decodes through this protocol where its type is
/// known; code generic over `Decodable` alone decodes it as `Decodable`.
public protocol PythonObjectDecodable {
    /// Creates a value from a Python object.
    ///
    /// - Throws: whatever the object's operations throw, or ``JinnError/valueConversion(_:)`` when the object
    ///   does not fit.
    init(pythonObject: PythonObject) async throws(JinnError)
}
