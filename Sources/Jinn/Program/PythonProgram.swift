import Foundation
import JinnWire

/// A Python program: the code to run, the modules and packages it imports from memory, values it reads from the
/// `jinn` module, and the arguments, environment and working directory it runs with.
///
/// Modules and packages are sent to the interpreter through a pipe and imported from memory; nothing is
/// written to disk. They behave like files: relative imports, `__file__`, `__path__`, `importlib.reload` and
/// tracebacks with source lines all work.
///
/// ```swift
/// var program = PythonProgram(main: """
///     import jinn, helpers
///     jinn.send(helpers.double(jinn.base))
///     """)
/// try program.add(PythonModule(name: "helpers", source: "def double(x):\n    return 2 * x\n"))
/// program.values["base"] = 21
/// let process = try await PythonProcess.start(program)
/// ```
public struct PythonProgram: Sendable {
    /// What a program runs as `__main__`.
    public enum Entry: Sendable, Hashable {
        /// A module held in the program (or importable from the interpreter's path), run as `python -m` runs
        /// it; a package runs its `__main__` submodule.
        case module(String)
        /// A script file, run as `python path` runs it.
        case script(path: String)
        /// Source text, run as `python -c` runs it.
        case code(String)
    }

    /// What runs as `__main__`.
    public var entry: Entry
    /// The modules held in memory, in the order they were added.
    public private(set) var modules: [PythonModule] = []
    /// Values that Python reads as attributes of the `jinn` module (`jinn.name`) and in `jinn.values`.
    public var values: [String: PythonValue] = [:]
    /// The arguments after `sys.argv[0]`.
    public var arguments: [String] = []
    /// `sys.argv[0]`; by default the script path, `-c` for code, or the main module's virtual path.
    public var programName: String?
    /// The complete environment of the process; by default the environment of this process.
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// The working directory; by default the current directory of this process.
    public var workingDirectory: String?
    /// Whether ``PythonProcess/start(_:interpreter:options:)`` returns only once the program has entered
    /// `jinn.serve()`, so that calls run on its main thread from the first; ``server(setup:)`` sets it. A program
    /// that ends before it serves makes the start throw what ended it.
    public var waitsUntilServing = false
    /// What `sys.path[0]` is for a module entry, in place of the working directory: a directory program's path,
    /// as `python3 DIR` puts DIR there.
    package var pathEntry: String?
    /// Whether the Python side starts its thread that reads the channel. A program that reads the channel itself
    /// turns it off: the script runner's zygote, which must stay single-threaded to fork safely, and which is sent
    /// descriptors on its channel (so it gets a socket rather than pipes).
    package var pythonListens = true

    /// What carries the channel: pipes, unless the program reads the channel itself.
    var transport: ChannelTransport { pythonListens ? .pipes : .socket }

    /// The module name that holds the source passed to ``init(main:)``: the program runs it as `__main__`.
    public static let mainModuleName = "__main__"

    /// Names the `jinn` module already uses; ``values`` may not take them.
    public static let reservedValueNames: Set<String> = [
        "values", "send", "receive", "is_connected", "call", "acall", "expose", "Service", "exposed", "serve",
        "SwiftError",
    ]

    /// Creates a program whose `__main__` is the given source, held in memory like every other module.
    public init(main source: String) {
        self.entry = .module(Self.mainModuleName)
        self.modules = [PythonModule(name: Self.mainModuleName, source: source)]
    }

    /// Creates a program that runs the given entry point.
    public init(entry: Entry) {
        self.entry = entry
    }

    /// A program that runs a script file as `python path` does.
    public static func script(_ path: String, arguments: [String] = []) -> PythonProgram {
        var program = PythonProgram(entry: .script(path: path))
        program.arguments = arguments
        return program
    }

    /// A program that runs source text as `python -c` does.
    public static func code(_ source: String, arguments: [String] = []) -> PythonProgram {
        var program = PythonProgram(entry: .code(source))
        program.arguments = arguments
        return program
    }

    /// Adds a module held in memory. Fails when the name is not a dotted Python identifier, is already taken, or
    /// belongs to Jinn's own `jinn` package.
    public mutating func add(_ module: PythonModule) throws(JinnError) {
        try Self.validate(moduleName: module.name)
        guard !modules.contains(where: { $0.name == module.name }) else {
            throw .invalidProgram("two modules are named '\(module.name)'; each module name may be used once")
        }
        modules.append(module)
    }

    /// Adds a package from a directory tree: every `.py` file becomes a module and every folder a package,
    /// with or without an `__init__.py`. `name` is the package's dotted name (by default the folder's name).
    public mutating func addPackage(at directory: URL, name: String? = nil) throws(JinnError) {
        let packageName = name ?? directory.lastPathComponent
        for module in try Self.modules(inPackageAt: directory, name: packageName) {
            try add(module)
        }
    }

    /// Adds a package that an app ships as a SwiftPM resource folder (declared with `.copy("Name")`).
    ///
    /// ```swift
    /// try program.addPackage(fromResource: "analysis", in: .module)
    /// ```
    public mutating func addPackage(fromResource name: String, in bundle: Bundle, as packageName: String? = nil)
        throws(JinnError)
    {
        guard let url = bundle.url(forResource: name, withExtension: nil) else {
            throw .invalidProgram("the bundle \(bundle.bundlePath) has no resource named '\(name)'")
        }
        try addPackage(at: url, name: packageName ?? name)
    }

    /// Loads a directory as a program in the way `python DIRECTORY` runs one: its `__main__.py` is the entry point
    /// and its other files are importable modules and packages.
    public init(directory: URL) throws(JinnError) {
        self.init(entry: .module("__main__"))
        let main = directory.appending(path: "__main__.py")
        guard FileManager.default.fileExists(atPath: main.path) else {
            throw .invalidProgram("the directory \(directory.path) has no __main__.py")
        }
        let entries: [URL]
        do {
            entries = try FileManager.default.contentsOfDirectory(
                at: directory, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles])
        } catch {
            throw .invalidProgram("cannot list \(directory.path): \(error.localizedDescription)")
        }
        for entry in entries.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
            if Self.isDirectory(entry) {
                guard Self.isIdentifier(entry.lastPathComponent), entry.lastPathComponent != "__pycache__" else {
                    continue
                }
                try addPackage(at: entry)
            } else if entry.pathExtension == "py" {
                let name = entry.deletingPathExtension().lastPathComponent
                guard Self.isIdentifier(name) else { continue }
                try add(try PythonModule(name: name, contentsOf: entry))
            }
        }
        programName = directory.path
        pathEntry = directory.path
    }

    /// Checks everything that can be checked before a process is started.
    package func validate() throws(JinnError) {
        for name in values.keys {
            guard Self.isIdentifier(name), !name.hasPrefix("_") else {
                throw .invalidProgram(
                    "the value name '\(name)' is not a Python identifier without a leading underscore")
            }
            guard !Self.reservedValueNames.contains(name) else {
                throw .invalidProgram("the value name '\(name)' is reserved by the jinn module; choose another")
            }
        }
        var names = Set<String>()
        for module in modules {
            guard names.insert(module.name).inserted else {
                throw .invalidProgram("two modules are named '\(module.name)'; each module name may be used once")
            }
        }
        for module in modules {
            let parts = module.name.split(separator: ".")
            for end in parts.indices.dropFirst() {
                let package = parts[..<end].joined(separator: ".")
                guard let parent = modules.first(where: { $0.name == package }) else {
                    throw .invalidProgram(
                        "the module '\(module.name)' is in the package '\(package)', which the program does not hold; "
                            + "add it too (PythonModule(name: \"\(package)\", source: \"\", isPackage: true)), "
                            + "or add the whole directory with addPackage(at:)")
                }
                guard parent.isPackage else {
                    throw .invalidProgram(
                        "the module '\(module.name)' is in '\(package)', which is a module, not a package; "
                            + "make '\(package)' a package (isPackage: true)")
                }
            }
        }
        switch entry {
        case .module(let name):
            try Self.validate(moduleName: name, allowJinn: true)
        case .script(let path):
            let base = workingDirectory ?? FileManager.default.currentDirectoryPath
            let absolute = path.hasPrefix("/") ? path : base + "/" + path
            guard FileManager.default.fileExists(atPath: absolute) else {
                throw .invalidProgram("the script '\(absolute)' does not exist")
            }
        case .code:
            break
        }
    }

    static func validate(moduleName name: String, allowJinn: Bool = false) throws(JinnError) {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if let keyword = parts.first(where: { keywords.contains(String($0)) }) {
            throw .invalidProgram(
                "'\(name)' cannot name a module: '\(keyword)' is a Python keyword, which an import cannot name")
        }
        guard !parts.isEmpty, parts.allSatisfy({ isIdentifier(String($0)) }) else {
            throw .invalidProgram(
                "'\(name)' is not a valid module name: each dot-separated part must be a Python identifier")
        }
        if !allowJinn && parts[0] == "jinn" {
            throw .invalidProgram("the module name '\(name)' belongs to Jinn's own 'jinn' package")
        }
    }

    /// Whether `name` is a Python identifier and not a keyword.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        guard first == "_" || first.properties.isXIDStart else { return false }
        guard name.unicodeScalars.dropFirst().allSatisfy({ $0 == "_" || $0.properties.isXIDContinue }) else {
            return false
        }
        return !keywords.contains(name)
    }

    private static let keywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
        "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
        "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ]

    private static func isDirectory(_ url: URL) -> Bool {
        (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true
    }

    private static func modules(inPackageAt directory: URL, name: String) throws(JinnError) -> [PythonModule] {
        guard isDirectory(directory) else {
            throw .invalidProgram("package '\(name)': \(directory.path) is not a directory")
        }
        let entries: [URL]
        do {
            entries = try FileManager.default.contentsOfDirectory(
                at: directory, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles])
        } catch {
            throw .invalidProgram("package '\(name)': cannot list \(directory.path): \(error.localizedDescription)")
        }
        let initFile = directory.appending(path: "__init__.py")
        let initSource = FileManager.default.fileExists(atPath: initFile.path)
            ? try PythonModule.readSource(initFile, module: name) : ""
        var result = [PythonModule(name: name, source: initSource, isPackage: true)]
        for entry in entries.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
            let base = entry.lastPathComponent
            if isDirectory(entry) {
                // Folders that cannot be imported by name (__pycache__, names with dashes) are not packages.
                guard isIdentifier(base), base != "__pycache__" else { continue }
                result += try modules(inPackageAt: entry, name: "\(name).\(base)")
            } else if entry.pathExtension == "py", base != "__init__.py" {
                let moduleName = entry.deletingPathExtension().lastPathComponent
                guard isIdentifier(moduleName) else { continue }
                result.append(try PythonModule(name: "\(name).\(moduleName)", contentsOf: entry))
            }
        }
        return result
    }
}
