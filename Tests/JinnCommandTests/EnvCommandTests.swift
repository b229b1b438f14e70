import Foundation
import Testing
import Jinn

/// `jinn env …` end to end: the built binary, real interpreters, real packages from the index.
@Suite("jinn env")
struct EnvCommandTests {
    /// The same cache as the library tests, so that uv is installed once (by Jinn itself) for every test.
    static let cache = NSTemporaryDirectory() + "/jinn-tests-\(getuid())/cache"

    private func withRoot(_ body: (String, [String: String]) async throws -> Void) async throws {
        let root = URL(fileURLWithPath: NSTemporaryDirectory() + "/jinn-env-cli-\(UUID().uuidString)")
            .standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await body(root, ["JINN_CACHE_DIR": Self.cache, "JINN_ENVIRONMENTS_DIR": root + "/envs",
                              "JINN_INSTALLER": ""])
    }

    @Test("create, list, show, freeze, restore elsewhere and remove")
    func lifecycle() async throws {
        try await withRoot { root, environment in
            let created = try await JinnBinary.run(["env", "create", "demo", "six==1.17.0"], environment: environment)
            #expect(created.termination == .exited(0), "\(created.errors)")
            #expect(created.output.contains("created \(root)/envs/demo with uv"))
            // Piped, the progress is plain lines with the structured part first.
            #expect(created.errors.contains("jinn: installed six (1/1): + six==1.17.0"))

            let list = try await JinnBinary.run(["env", "list"], environment: environment)
            #expect(list.output.contains("demo  \(root)/envs/demo"))

            let show = try await JinnBinary.run(["env", "show", "demo"], environment: environment)
            #expect(show.output.contains("interpreter:     \(root)/envs/demo/bin/python"))
            #expect(show.output.contains("  six 1.17.0"))
            let json = try await JinnBinary.run(["env", "show", "demo", "--json"], environment: environment)
            let description = try JSONDecoder().decode(EnvironmentDescription.self, from: Data(json.output.utf8))
            #expect(description.packages.map(\.description) == ["six==1.17.0"])

            let freeze = try await JinnBinary.run(["env", "freeze", "demo", "-o", root + "/jinn.lock"],
                                                  environment: environment)
            #expect(freeze.termination == .exited(0), "\(freeze.errors)")
            let lock = try LockFile(contentsOf: root + "/jinn.lock")
            #expect(lock.packages.map(\.description) == ["six==1.17.0"])
            #expect(!lock.packages[0].hashes.isEmpty)

            let restore = try await JinnBinary.run(
                ["env", "restore", root + "/jinn.lock", root + "/elsewhere/copy", "--installer", "pip"],
                environment: environment)
            #expect(restore.termination == .exited(0), "\(restore.errors)")
            #expect(restore.output.contains("restored 1 packages into \(root)/elsewhere/copy with pip; verified"))
            let refrozen = try await JinnBinary.run(["env", "freeze", root + "/elsewhere/copy", "--no-hashes"],
                                                    environment: environment)
            #expect(try LockFile(data: Data(refrozen.output.utf8)).packages.map(\.description) == ["six==1.17.0"])

            let remove = try await JinnBinary.run(["env", "remove", "demo"], environment: environment)
            #expect(remove.output.contains("removed \(root)/envs/demo"))
            let empty = try await JinnBinary.run(["env", "list"], environment: environment)
            #expect(empty.output.isEmpty && empty.errors.contains("no environments"))
            let missing = try await JinnBinary.run(["env", "show", "demo"], environment: environment)
            #expect(missing.termination == .exited(1))
            #expect(missing.errors.contains("no environment named 'demo'"))
        }
    }

    @Test("two processes creating the same environment at once both succeed, and one environment results")
    func concurrentCreation() async throws {
        try await withRoot { root, environment in
            let arguments = ["env", "create", "shared", "six", "--installer", "pip"]
            async let first = JinnBinary.run(arguments, environment: environment)
            async let second = JinnBinary.run(arguments, environment: environment)
            let runs = try await [first, second]
            for run in runs { #expect(run.termination == .exited(0), "\(run.errors)") }
            #expect(runs.filter { $0.output.hasPrefix("created \(root)/envs/shared") }.count == 1)
            #expect(runs.filter { $0.output.hasPrefix("\(root)/envs/shared exists; reused it") }.count == 1)
            let entries = try FileManager.default.contentsOfDirectory(atPath: root + "/envs").sorted()
            #expect(entries == [".shared.jinn-lock", "shared"])
            let (termination, output, _) = try await runCapturing(
                root + "/envs/shared/bin/python", ["-c", "import six; print(six.__name__)"])
            #expect(termination.isSuccess && String(decoding: output, as: UTF8.self) == "six\n")
        }
    }

    @Test("a failed install leaves nothing and quotes the installer",
          arguments: [["--installer", "uv", "sixx-does-not-exist"], ["--installer", "pip", "sixx-does-not-exist"],
                      ["--installer", "uv", "--no-cache", "--index-url", "http://127.0.0.1:9/simple", "six"],
                      ["--installer", "pip", "--no-cache", "--index-url", "http://127.0.0.1:9/simple", "six"]])
    func failures(arguments: [String]) async throws {
        try await withRoot { root, environment in
            var offline = environment
            offline["PIP_RETRIES"] = "0"       // the index is unreachable: fail at once instead of retrying
            offline["UV_HTTP_RETRIES"] = "0"
            let run = try await JinnBinary.run(["env", "create", root + "/env"] + arguments, environment: offline)
            #expect(run.termination == .exited(1))
            let package = arguments.last!
            let installer = arguments[1]
            #expect(run.errors.contains("jinn: \(installer == "uv" ? "uv " + UVTool.pinnedVersion : "pip") "
                                        + "could not install '\(package)':"))
            if installer == "pip" {
                #expect(run.errors.contains("ERROR: No matching distribution found for \(package)"))
            } else if package == "six" {
                #expect(run.errors.contains("Connection refused"))
            } else {
                #expect(run.errors.contains("\(package) was not found in the package registry"))
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: root) == [".env.jinn-lock"])
        }
    }

    @Test("on a terminal the progress is a bar redrawn in place")
    func progressBar() async throws {
        try await withRoot { root, environment in
            let created = try await JinnBinary.run(["env", "create", root + "/env", "--quiet"], environment: environment)
            #expect(created.termination == .exited(0), "\(created.errors)")
            // script(1) gives the command a pseudo-terminal, as an interactive shell would.
            let command = "\(JinnBinary.path) env install \(root)/env six"
            let run = try await JinnBinary.runOther("/usr/bin/script", ["-qec", command, "/dev/null"],
                                                    environment: environment)
            #expect(run.termination == .exited(0), "\(run.output)")
            #expect(run.output.contains("\r\u{1B}[K[########################] installed six (1/1)"))
            #expect(!run.output.contains("jinn: installed"))
        }
    }

    @Test("conda environments need micromamba or conda on PATH, and say so")
    func condaAbsent() async throws {
        try await withRoot { root, environment in
            var withoutConda = environment
            withoutConda["PATH"] = "/usr/bin:/bin"
            let run = try await JinnBinary.run(["env", "create", root + "/env", "--conda", "micromamba", "numpy"],
                                               environment: withoutConda)
            #expect(run.termination == .exited(1))
            #expect(run.errors.contains("micromamba was not found: no micromamba executable is on PATH"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: root).isEmpty)
        }
    }

    @Test("a crafted lock file never reaches the installer: nothing is fetched, read or created", arguments: [
        #"{"name": "six", "version": "1.17.0\n--index-url http://127.0.0.1:9/simple"}"#,
        #"{"name": "six\n-r SECRET", "version": "1.17.0"}"#,
    ])
    func craftedLock(package: String) async throws {
        try await withRoot { root, environment in
            let secret = root + "/secret.txt"
            try "the first line of a secret\n".write(toFile: secret, atomically: true, encoding: .utf8)
            let lock = #"{"format": 1, "python": {"implementation": "cpython", "version": "3.11.7"},"#
                + #""platform": {"system": "linux", "machine": "x86_64"}, "packages": ["#
                + package.replacingOccurrences(of: "SECRET", with: secret) + "]}"
            try lock.write(toFile: root + "/crafted.lock", atomically: true, encoding: .utf8)
            let restore = try await JinnBinary.run(["env", "restore", root + "/crafted.lock", root + "/target"],
                                                   environment: environment)
            #expect(restore.termination == .exited(1))
            #expect(restore.errors.contains("the lock file '\(root)/crafted.lock' is not valid"), "\(restore.errors)")
            #expect(!restore.errors.contains("the first line of a secret"))
            #expect(!restore.errors.contains("127.0.0.1:9") || restore.errors.contains("is not a version"))
            #expect(!FileManager.default.fileExists(atPath: root + "/target"))
        }
    }

    @Test("bad names and paths that are not environments are refused with a reason")
    func refusals() async throws {
        try await withRoot { root, environment in
            let badName = try await JinnBinary.run(["env", "create", ".hidden"], environment: environment)
            #expect(badName.termination == .exited(1))
            #expect(badName.errors.contains("'.hidden' cannot name an environment: it starts with '.'"))
            let notEnvironment = try await JinnBinary.run(["env", "remove", root + "/"], environment: environment)
            #expect(notEnvironment.termination == .exited(1))
            #expect(notEnvironment.errors.contains("is not a Python environment"))
        }
    }
}

extension JinnBinary {
    /// Runs another program with this process's environment plus `environment`.
    static func runOther(_ executable: String, _ arguments: [String], environment: [String: String]) async throws
        -> Run
    {
        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let (termination, output, errors) = try await runCapturing(executable, arguments, environment: merged)
        return Run(termination: termination, output: String(decoding: output, as: UTF8.self),
                   errors: String(decoding: errors, as: UTF8.self))
    }
}
