import Foundation
import Testing
@testable import Jinn

/// What the environment tests share: the base interpreter and one cache, in which the library installs its
/// pinned uv once for every test and every run (the same code path users get when uv is not on PATH).
enum EnvironmentFixture {
    static let cacheDirectory = NSTemporaryDirectory() + "/jinn-tests-\(getuid())/cache"

    static func python() async throws(JinnError) -> PythonInterpreter {
        try await PythonInterpreter.system()
    }

    static func options(_ installer: InstallerChoice) -> EnvironmentOptions {
        var options = EnvironmentOptions()
        options.installer = installer
        options.cacheDirectory = cacheDirectory
        return options
    }

    /// Runs `code` with the environment's interpreter and returns its standard output, trimmed.
    static func run(_ environment: VirtualEnvironment, _ code: String) async throws -> String {
        let (termination, output, errors) = try await runCapturing(environment.pythonExecutable, ["-c", code])
        #expect(termination.isSuccess, "\(String(decoding: errors, as: UTF8.self))")
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The entries of `directory`, hidden ones included.
    static func entries(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// A wheel built by hand: a zip with the metadata a wheel needs and one module.
    static func makeWheel(in directory: String, name: String = "jinn_tiny", version: String = "1.0") async throws
        -> String
    {
        let path = directory + "/\(name)-\(version)-py3-none-any.whl"
        let script = """
            import base64, hashlib, sys, zipfile
            path, name, version = sys.argv[1:]
            info = f"{name}-{version}.dist-info"
            files = {
                f"{name}.py": f"VALUE = {version!r}\\n",
                f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
                f"{info}/WHEEL": "Wheel-Version: 1.0\\nGenerator: jinn-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
            }
            record = []
            with zipfile.ZipFile(path, "w") as archive:
                for file, text in files.items():
                    data = text.encode()
                    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                    archive.writestr(file, data)
                    record.append(f"{file},sha256={digest},{len(data)}")
                record.append(f"{info}/RECORD,,")
                archive.writestr(f"{info}/RECORD", "\\n".join(record) + "\\n")
            """
        let (termination, _, errors) = try await runCapturing(
            try await python().executable, ["-c", script, path, name, version])
        #expect(termination.isSuccess, "\(String(decoding: errors, as: UTF8.self))")
        return path
    }
}

/// Collects progress events from any thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [InstallProgress] = []

    var handler: InstallProgressHandler { { [self] event in lock.withLock { stored.append(event) } } }
    var events: [InstallProgress] { lock.withLock { stored } }
}

/// Runs `body` with a fresh directory that is removed afterwards.
func withTemporaryDirectory(_ body: (String) async throws -> Void) async throws {
    let path = NSTemporaryDirectory() + "/jinn-env-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    try await body(URL(fileURLWithPath: path).standardizedFileURL.path)
}

/// The environment error `body` throws, recorded as an issue when it throws none or another error.
func environmentError(_ body: () async throws -> Void) async -> EnvironmentError? {
    do {
        try await body()
        Issue.record("expected an environment error; none was thrown")
    } catch let error as JinnError {
        if case .environment(let environmentError) = error { return environmentError }
        Issue.record("expected an environment error, got \(error)")
    } catch {
        Issue.record("expected an environment error, got \(error)")
    }
    return nil
}
