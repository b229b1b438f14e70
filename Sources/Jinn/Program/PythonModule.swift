import Foundation

/// One Python module held in memory: its dotted name, its source text and the virtual path its tracebacks show.
///
/// ```swift
/// let helpers = PythonModule(name: "helpers", source: "def double(x):\n    return 2 * x\n")
/// let loaded = try PythonModule(name: "tools.text", contentsOf: URL(fileURLWithPath: "text.py"))
/// ```
public struct PythonModule: Sendable, Hashable {
    /// The dotted module name, such as `"package.module"`.
    public var name: String
    /// The module's source code.
    public var source: String
    /// Whether the module is a package (its source is the package's `__init__.py`).
    public var isPackage: Bool

    /// Creates a module from source text.
    public init(name: String, source: String, isPackage: Bool = false) {
        self.name = name
        self.source = source
        self.isPackage = isPackage
    }

    /// Creates a module from a file; the file must be UTF-8.
    public init(name: String, contentsOf url: URL, isPackage: Bool = false) throws(JinnError) {
        self.init(name: name, source: try Self.readSource(url, module: name), isPackage: isPackage)
    }

    /// The path `__file__` holds and tracebacks show: the module's place under the virtual root `<jinn>`.
    /// Nothing exists at this path on disk.
    public var virtualPath: String {
        let relative = name.replacingOccurrences(of: ".", with: "/")
        return isPackage ? "<jinn>/\(relative)/__init__.py" : "<jinn>/\(relative).py"
    }

    static func readSource(_ url: URL, module: String) throws(JinnError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .invalidProgram("module '\(module)': cannot read \(url.path): \(error.localizedDescription)")
        }
        guard let source = String(validating: data, as: UTF8.self) else {
            throw .invalidProgram("module '\(module)': the source in \(url.path) is not valid UTF-8")
        }
        return source
    }
}
