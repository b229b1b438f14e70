import CJinn
import Foundation
import JinnSystem
import JinnWire
import Synchronization

/// A Python interpreter on this machine, resolved to its real executable and described by itself.
///
/// `python3` on `PATH` is often a shell shim (pyenv, asdf) that costs tens of milliseconds per start; Jinn asks
/// the interpreter for `sys.executable` once and starts that file directly from then on.
///
/// ```swift
/// let python = try await PythonInterpreter.system()
/// print(python.version, python.executable)   // 3.11.7 /root/.pyenv/versions/3.11.7/bin/python3
/// let venv = try await PythonInterpreter(virtualEnvironment: "/srv/app/.venv")
/// ```
public struct PythonInterpreter: Sendable, Hashable, Codable {
    /// The real executable (`sys.executable`).
    public var executable: String
    /// The language version.
    public var version: PythonVersion
    /// `cpython`, `pypy`, ….
    public var implementation: String
    /// `sys.platform`, such as `linux`.
    public var platform: String
    /// The machine architecture, such as `x86_64`.
    public var machine: String
    /// `sys.prefix`: the virtual environment's directory for a virtual environment.
    public var prefix: String
    /// `sys.base_prefix`: the installation the interpreter comes from.
    public var basePrefix: String
    /// The site-packages directories.
    public var sitePackages: [String]

    /// Creates a description from known facts, without running the interpreter.
    public init(executable: String, version: PythonVersion, implementation: String, platform: String,
                machine: String, prefix: String, basePrefix: String, sitePackages: [String])
    {
        self.executable = executable
        self.version = version
        self.implementation = implementation
        self.platform = platform
        self.machine = machine
        self.prefix = prefix
        self.basePrefix = basePrefix
        self.sitePackages = sitePackages
    }

    /// Whether the interpreter belongs to a virtual environment.
    public var isVirtualEnvironment: Bool { prefix != basePrefix }

    /// Finds `python3` (then `python`) on the search path and inspects it.
    ///
    /// The search follows the shell's rules, as `jinn --no-daemon` and the daemon do: an empty entry is the
    /// current directory, directories and files that are not executable are passed over, and an unset `PATH` means
    /// `/usr/local/bin:/usr/bin:/bin`.
    ///
    /// - Parameter path: a `PATH`-style list of directories; by default this process's `PATH`.
    public static func system(searchPath path: String? = nil) async throws(JinnError) -> PythonInterpreter {
        let searchPath = path ?? ExecutableSearch.processSearchPath
        guard let found = ExecutableSearch.find(["python3", "python"], in: searchPath) else {
            throw .interpreterNotFound(searched: ExecutableSearch.directories(in: searchPath))
        }
        return try await PythonInterpreter(path: found)
    }

    /// Inspects the interpreter at `path` (a real executable or a shim).
    public init(path: String) async throws(JinnError) {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        if let known = Self.cache.withLock({ $0[absolute] }) {
            self = known
            return
        }
        guard ExecutableSearch.isExecutableFile(absolute) else {
            throw .interpreterNotExecutable(path: path)
        }
        self = try await Self.inspect(absolute)
        guard version >= .minimumSupported else {
            throw .unsupportedPython(path: path, version: version.description)
        }
        Self.cache.withLock { $0[absolute] = self; $0[executable] = self }
    }

    /// Inspects the interpreter of the virtual environment at `directory`.
    public init(virtualEnvironment directory: String) async throws(JinnError) {
        guard FileManager.default.fileExists(atPath: directory) else {
            throw .environment(.missingDirectory(path: directory))
        }
        guard FileManager.default.fileExists(atPath: directory + "/pyvenv.cfg") else {
            throw .environment(.notAnEnvironment(path: directory))
        }
        let binary = directory + "/bin/python3"
        try await self.init(path: FileManager.default.fileExists(atPath: binary) ? binary : directory + "/bin/python")
    }

    private static let cache = Mutex<[String: PythonInterpreter]>([:])

    /// Forgets what was learned about interpreters, so the next lookup inspects them again.
    public static func forgetInspections() {
        cache.withLock { $0.removeAll() }
    }

    /// Forgets what was learned about interpreters inside `directory` (an environment that was replaced or
    /// removed).
    package static func forgetInspections(under directory: String) {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        cache.withLock { cache in
            cache = cache.filter { !$0.key.hasPrefix(prefix) && !$0.value.executable.hasPrefix(prefix) }
        }
    }

    // Runs without `site` (-S) so that the base installation's .pth files cost nothing; `site.venv` then applies
    // a virtual environment's pyvenv.cfg, which is what sets sys.prefix there. The version test comes first and
    // uses only syntax that Python 2 parses, so an old interpreter reports itself.
    private static let inspectionScript = """
        import sys
        if sys.version_info < (3,):
            sys.stdout.write('%d.%d.%d' % sys.version_info[:3]); sys.exit(3)
        import marshal, os, site
        site.venv(None)
        v = sys.version_info
        sys.stdout.buffer.write(marshal.dumps({
            'executable': sys.executable or '', 'version': (v.major, v.minor, v.micro, v.releaselevel),
            'implementation': sys.implementation.name, 'platform': sys.platform, 'machine': os.uname().machine,
            'prefix': sys.prefix, 'base_prefix': getattr(sys, 'base_prefix', sys.prefix),
            'site_packages': [p for p in getattr(site, 'getsitepackages', lambda: [])()],
        }))
        """

    private static func inspect(_ path: String) async throws(JinnError) -> PythonInterpreter {
        // The script travels on standard input, so that a program that is not Python quotes "-" in its complaint
        // rather than the whole script.
        let (status, output, errors) = try await runCapturing(path, ["-S", "-"],
                                                              standardInput: Array(inspectionScript.utf8))
        if status == .exited(3) {
            throw .unsupportedPython(path: path, version: String(decoding: output, as: UTF8.self))
        }
        guard status.isSuccess else {
            let lines = String(decoding: errors.suffix(4000), as: UTF8.self).split(separator: "\n")
            let details = lines.suffix(3).joined(separator: "\n")
            throw .interpreterInspectionFailed(
                path: path, details: "it \(status)" + (details.isEmpty ? "" : ": \(details)"))
        }
        let report: PythonValue
        do {
            report = try Marshal.decode(output)
        } catch {
            throw .interpreterInspectionFailed(path: path, details: "it answered something else (\(error.message))")
        }
        let version = report["version"]
        guard let executable = report["executable"]?.stringValue, !executable.isEmpty,
            let major = version?[0]?.intValue, let minor = version?[1]?.intValue, let micro = version?[2]?.intValue
        else {
            throw .interpreterInspectionFailed(path: path, details: "it did not report its executable and version")
        }
        return PythonInterpreter(
            executable: executable,
            version: PythonVersion(major: major, minor: minor, micro: micro,
                                   releaseLevel: version?[3]?.stringValue ?? "final"),
            implementation: report["implementation"]?.stringValue ?? "",
            platform: report["platform"]?.stringValue ?? "",
            machine: report["machine"]?.stringValue ?? "",
            prefix: report["prefix"]?.stringValue ?? "",
            basePrefix: report["base_prefix"]?.stringValue ?? "",
            sitePackages: report["site_packages"]?.elements?.compactMap(\.stringValue) ?? [])
    }
}

/// Runs a command to completion and returns its termination, standard output and standard error.
package func runCapturing(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                  standardInput: [UInt8]? = nil) async throws(JinnError) -> (Termination, [UInt8], [UInt8])
{
    var descriptors = try ChildDescriptors(
        input: standardInput == nil ? .null : .pipe, output: .pipe, error: .pipe, channel: nil)
    let child = try await ChildProcess.spawn(ChildProcess.Configuration(
        executable: executable, arguments: arguments,
        environment: environment ?? ProcessInfo.processInfo.environment,
        workingDirectory: nil, descriptors: []), with: &descriptors)
    let output = OutputBuffer.reading(descriptors.standardOutput.take(), name: "jinn-stdout")
    let errors = OutputBuffer.reading(descriptors.standardError.take(), name: "jinn-stderr")
    if let standardInput, let writer = descriptors.standardInput.take() {
        // The writing thread owns the write end, and closes it once the input is written so that the child reads
        // its end; an escaping closure cannot take a noncopyable value, so the number crosses.
        let fd = writer.release()
        let thread = Thread {
            let writer = OwnedDescriptor(taking: fd)
            standardInput.withUnsafeBytes { _ = jinn_write_all(writer.rawValue, $0.baseAddress, $0.count) }
        }
        thread.start()
    }
    async let collectedOutput = ProcessOutput(buffer: output).collect()
    async let collectedErrors = ProcessOutput(buffer: errors).collect()
    let termination = await child.wait()
    return (termination, await collectedOutput, await collectedErrors)
}
