import Foundation
import Jinn
import JinnWire
import Testing

/// Scripts with dependencies, run by the built `jinn`: PEP 723 blocks, `--with`, `--requirements`, locks, the
/// cache, and bad input. Installs are real (six from PyPI), made with the library's pinned uv in the tests' cache.
@Suite(.serialized)
struct ScriptDependencyTests {
    /// A sandbox whose cache is its own but finds the tests' pinned uv, with uv's download cache shared.
    static func sandbox() async throws -> ScriptRunnerSandbox {
        let box = try await ScriptRunnerSandbox()
        let shared = NSTemporaryDirectory() + "/jinn-tests-\(getuid())/cache"
        try FileManager.default.createDirectory(atPath: shared + "/tools", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: box.cache, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: box.cache + "/tools", withDestinationPath: shared + "/tools")
        // What the installers need to reach the index from this machine (certificates, proxies), as a user has it.
        for (name, value) in ProcessInfo.processInfo.environment {
            let upper = name.uppercased()
            if upper.hasPrefix("SSL_CERT_") || upper.hasSuffix("_CA_BUNDLE") || upper.hasSuffix("_PROXY")
                || upper.hasPrefix("PIP_") || upper.hasPrefix("UV_")
            {
                box.environment[name] = value
            }
        }
        box.environment["JINN_CACHE_DIR"] = box.cache
        box.environment["UV_CACHE_DIR"] = shared + "/uv"
        return box
    }

    static func block(_ dependencies: [String], extra: String = "") -> String {
        "# /// script\n# dependencies = [" + dependencies.map { "\"\($0)\"" }.joined(separator: ", ") + "]\n"
            + extra + "# ///\n"
    }

    static let showSix = "import six, sys\nprint(six.__version__, six.__file__.startswith(sys.prefix), sys.prefix)\n"

    /// The environments in the sandbox's cache.
    static func environments(_ box: ScriptRunnerSandbox) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: box.cache + "/environments")) ?? [])
            .filter { !$0.hasPrefix(".") }
    }

    @Test("a script runs in its own environment, through the daemon; the second run is warm")
    func ownEnvironment() async throws {
        let box = try await Self.sandbox()
        defer { box.tearDown() }
        let script = try box.script("six16.py", Self.block(["six==1.16.0"]) + Self.showSix)
        let first = try box.jinn(["--verbose", script])
        #expect(first.termination == .exited(0), "\(first)")
        let words = first.output.split(separator: " ").map(String.init)
        guard words.count == 3 && words[0] == "1.16.0" && words[1] == "True" else {
            Issue.record("\(first)")
            return
        }
        let prefix = words[2].trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(prefix.hasPrefix(box.cache + "/environments/"))
        #expect(first.errors.contains("handing over"))
        let second = try box.jinn(["--verbose", script])
        #expect(second.output == first.output)
        #expect(!second.errors.contains("handing over") && second.errors.contains("jinn: run "), "\(second)")
        // The daemon ran it in a zygote of the environment's interpreter.
        let zygotes = try box.request(.status)["zygotes"]
        guard case .list(let listed)? = zygotes else { Issue.record("no zygotes in \(String(describing: zygotes))"); return }
        #expect(listed.contains { $0["environment"]?.stringValue?.hasPrefix(prefix + "/bin/python") == true })
        // Without the daemon, the same environment.
        let direct = try box.jinn(["--no-daemon", script])
        #expect(direct.output == first.output, "\(direct)")
        // python3 itself sees the interpreter's own six, or none: the environment is the script's alone.
        let plain = try box.python3(["-c", "import sys; print(sys.prefix)"])
        #expect(plain.output.trimmingCharacters(in: .whitespacesAndNewlines) != prefix)
    }

    @Test("two scripts pinning two versions each see their own; two asking the same share one environment")
    func twoVersions() async throws {
        let box = try await Self.sandbox()
        defer { box.tearDown() }
        let old = try box.script("old.py", Self.block(["six==1.16.0"]) + Self.showSix)
        let new = try box.script("new.py", Self.block(["six==1.17.0"]) + Self.showSix)
        let same = try box.script("same.py", Self.block(["Six == 1.17.0"]) + "# another script\n" + Self.showSix)
        let outcomes = try [old, new, same, old, new].map { try box.jinn([$0]) }
        #expect(outcomes.allSatisfy { $0.termination == .exited(0) }, "\(outcomes)")
        #expect(outcomes.map { $0.output.split(separator: " ").first.map(String.init) ?? "" }
                == ["1.16.0", "1.17.0", "1.17.0", "1.16.0", "1.17.0"])
        #expect(outcomes[1].output == outcomes[2].output)  // the same prefix
        #expect(outcomes[0].output != outcomes[1].output)
        #expect(Self.environments(box).count == 2)
    }

    @Test("--with and --requirements give -c, -m and scripts an environment")
    func flags() async throws {
        let box = try await Self.sandbox()
        defer { box.tearDown() }
        let code = "import six; print(six.__version__)"
        let with = try box.jinn(["--with", "six==1.16.0", "-c", code])
        #expect(with.termination == .exited(0) && with.output == "1.16.0\n", "\(with)")
        let requirements = try box.script("req.txt", "# pinned\nsix==1.17.0  # the newest\n")
        let fromFile = try box.jinn(["--requirements", requirements, "-c", code])
        #expect(fromFile.output == "1.17.0\n", "\(fromFile)")
        let plain = try box.script("plain.py", "import sys; print(sys.argv[1:])\n")
        let module = try box.jinn(["--with=six==1.17.0", plain, "--with", "x"])
        #expect(module.output == "['--with', 'x']\n", "\(module)")
        try box.script("app/__main__.py", "import six; print('app', six.__version__)\n")
        let directory = try box.jinn(["--with", "six==1.17.0", box.scripts.path + "/app"])
        #expect(directory.output == "app 1.17.0\n", "\(directory)")
        let options = try box.script("options.txt", "--index-url http://127.0.0.1:9/simple\nsix\n")
        let refused = try box.jinn(["--requirements", options, "-c", code])
        #expect(refused.termination == .exited(2))
        #expect(refused.errors.contains("\(options), line 1: options (--index-url) are not taken"), "\(refused)")
    }

    @Test("jinn deps shows what a script gets; jinn lock pins it and the locked run checks the hashes")
    func depsAndLock() async throws {
        let box = try await Self.sandbox()
        defer { box.tearDown() }
        let script = try box.script("locked.py", Self.block(["six>=1.16"]) + Self.showSix)
        let before = try box.jinn(["deps", script])
        #expect(before.output.contains("requirements:    six>=1.16"), "\(before)")
        #expect(before.output.contains("(not made yet; the next run makes it)"))
        let lock = try box.jinn(["lock", script])
        #expect(lock.termination == .exited(0), "\(lock)")
        let pinned = try LockFile(contentsOf: script + ".lock")
        #expect(pinned.packages.map(\.name) == ["six"] && !pinned.packages[0].hashes.isEmpty)
        let run = try box.jinn([script])
        #expect(run.output.hasPrefix(pinned.packages[0].version + " True"), "\(run)")
        let after = try box.jinn(["deps", script])
        #expect(after.output.contains("lock:            \(script).lock (1 pins, hash-checked)"), "\(after)")
        #expect(after.output.contains("(ready)") && after.output.contains("  six \(pinned.packages[0].version)"))
        // A lock whose hash is not the distribution's: the installer refuses, and nothing is kept.
        var tampered = pinned
        tampered.packages[0].hashes = [String(repeating: "0", count: 64)].map { "sha256:" + $0 }
        try tampered.write(to: script + ".lock")
        let count = Self.environments(box).count
        let refused = try box.jinn([script])
        #expect(refused.termination == .exited(3), "\(refused)")
        #expect(refused.errors.contains("could not install 'six':"), "\(refused)")
        #expect(refused.errors.contains("Hash mismatch for `six==") && !refused.errors.contains("Traceback"),
                "\(refused)")
        #expect(Self.environments(box).count == count)
        // A lock that does not satisfy the block is stale.
        try box.script("locked.py", Self.block(["six<1.10"]) + Self.showSix)
        let stale = try box.jinn([script])
        #expect(stale.termination == .exited(2) && stale.errors.contains("run `jinn lock \(script)` again"), "\(stale)")
    }

    @Test("bad input: the installer's or the parser's words, Jinn's status, no traceback, nothing cached",
          arguments: [
              ("unknown.py", block(["jinn-no-such-package-xyz"]), 3, "jinn-no-such-package-xyz was not found"),
              ("impossible.py", block(["six==99.0"]), 3, "there is no version of six==99.0"),
              ("notpep508.py", "# /// script\n# dependencies = [\n#   \"six\",\n#   \"six; bogus == '1'\",\n# ]\n# ///\n",
               2, "notpep508.py, line 4: "),
              ("unclosed.py", "import os\n# /// script\n# dependencies = []\n", 2,
               "unclosed.py, line 2: the `# /// script` block has no closing"),
              ("twice.py", block([]) + "x = 1\n" + block(["six"]), 2, "twice.py, line 5: a second `# /// script`"),
              ("toml.py", "# /// script\n# dependencies = [\"six\"\n# ///\n", 2, "is not valid TOML"),
              ("python.py", "# /// script\n# requires-python = \">=3.99\"\n# ///\n", 3,
               "no Python interpreter satisfies requires-python \">=3.99\"; found "),
          ])
    func badInput(name: String, source: String, status: Int32, words: String) async throws {
        let box = try await Self.sandbox()
        defer { box.tearDown() }
        let script = try box.script(name, source + "print('ran')\n")
        let run = try box.jinn([script])
        #expect(run.termination == .exited(status), "\(run)")
        #expect(run.errors.contains(words), "\(run)")
        #expect(!run.errors.contains("Traceback") && run.output.isEmpty)
        #expect(Self.environments(box).isEmpty)
    }

    @Test("an unreachable index: uv's words, Jinn's status, nothing cached")
    func unreachableIndex() async throws {
        let box = try await Self.sandbox()
        defer { box.tearDown() }
        let script = try box.script("offline.py", Self.block(["six==1.15.0"]) + "print('ran')\n")
        let run = try box.jinn([script], environment: ["UV_INDEX_URL": "http://127.0.0.1:9/simple", "UV_NO_CACHE": "1"])
        #expect(run.termination == .exited(3), "\(run)")
        #expect(run.errors.contains("Connection refused"), "\(run)")
        #expect(Self.environments(box).isEmpty)
    }

    @Test("requires-python picks an interpreter that satisfies it; other tools' tables, in any TOML, are theirs")
    func requiresPython() async throws {
        let box = try await Self.sandbox()
        defer { box.tearDown() }
        let script = try box.script("new.py", """
            # /// script
            # requires-python = ">=3.12"
            # [tool.uv]
            # exclude-newer = 2030-01-01T00:00:00Z
            # sources = { mine = { path = "../mine", editable = true } }
            # [[tool.uv.index]]
            # name = "internal"
            # url = "https://packages.example/simple"
            # ///
            import sys; print(sys.version_info >= (3, 12))

            """)
        // The sandbox's home is empty: pyenv's versions are found through PYENV_ROOT, as pyenv users have it.
        let versions = URL(fileURLWithPath: box.python.executable).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        try #require(versions.lastPathComponent == "versions", "the tests' python3 is not one of pyenv's")
        let run = try box.jinn([script], environment: ["PYENV_ROOT": versions.deletingLastPathComponent().path])
        #expect(run.output == "True\n", "\(run)")
    }

    @Test("[tool.jinn] preload: the environment's zygote imports them ahead; an unknown setting is refused")
    func preload() async throws {
        let box = try await Self.sandbox()
        defer { box.tearDown() }
        // A script that shares the environment but asks for no preload makes it first.
        let plain = try box.script("plain.py", Self.block(["six==1.17.0"]) + "import sys; print('decimal' in sys.modules)\n")
        #expect(try box.jinn([plain]).output == "False\n")
        let script = try box.script("preloaded.py", Self.block(["six==1.17.0"], extra: "#\n# [tool.jinn]\n# preload = [\"decimal\"]\n")
            + "import sys; print('decimal' in sys.modules)\n")
        #expect(try box.jinn([script]).output == "True\n")
        #expect(Self.environments(box).count == 1)
        let zygotes = try box.request(.status)["zygotes"]
        guard case .list(let listed)? = zygotes else { Issue.record("no zygotes"); return }
        let environment = listed.first { $0["environment"]?.stringValue?.contains(box.cache) == true }
        #expect(environment?["preloaded"] == .list(["decimal", "six"]), "\(listed)")
        #expect(environment?["why"]?["decimal"]?.stringValue == "[tool.jinn]", "\(listed)")
        let typo = try box.script("typo.py", "# /// script\n# dependencies = []\n# [tool.jinn]\n# preloads = []\n# ///\n")
        let refused = try box.jinn([typo])
        #expect(refused.termination == .exited(2))
        #expect(refused.errors.contains("typo.py, line 4: `preloads` is not a setting of [tool.jinn]"), "\(refused)")
    }

    @Test("the modules of an environment's dependencies are preloaded without configuration")
    func dependenciesArePreloaded() async throws {
        let box = try await Self.sandbox()
        defer { box.tearDown() }
        let script = try box.script("deps.py", Self.block(["six==1.17.0"]) + "import six; print(six.__version__)\n")
        #expect(try box.jinn([script]).output == "1.17.0\n")
        let zygotes = try box.request(.status)["zygotes"]
        guard case .list(let listed)? = zygotes else { Issue.record("no zygotes"); return }
        let environment = listed.first { $0["environment"]?.stringValue?.contains(box.cache) == true }
        #expect(environment?["preloaded"] == .list(["six"]), "\(listed)")
        #expect(environment?["why"]?["six"]?.stringValue == "learned: a dependency of its environment", "\(listed)")
        #expect(try box.jinn([script]).output == "1.17.0\n")
    }

    @Test("two first runs at once install once")
    func concurrentFirstRuns() async throws {
        let box = try await Self.sandbox()
        defer { box.tearDown() }
        let script = try box.script("both.py", Self.block(["six==1.16.0"]) + Self.showSix)
        let first = try box.startJinn(["--verbose", script])
        let second = try box.startJinn(["--verbose", script])
        let outcomes = [first.wait(), second.wait()]
        #expect(outcomes.allSatisfy { $0.termination == .exited(0) && $0.output.hasPrefix("1.16.0 True") }, "\(outcomes)")
        #expect(outcomes.filter { $0.errors.contains("installed six") }.count == 1, "\(outcomes)")
        #expect(Self.environments(box).count == 1)
    }

    @Test("jinn cache lists, prunes and clears, and never removes an environment in use")
    func cache() async throws {
        let box = try await Self.sandbox()
        defer { box.tearDown() }
        let waiting = try box.script("wait.py", Self.block(["six==1.16.0"]) + "import sys\nprint('up', flush=True)\nsys.stdin.read()\n")
        let other = try box.script("other.py", Self.block(["six==1.17.0"]) + Self.showSix)
        #expect(try box.jinn([other]).termination == .exited(0))
        let running = try box.startJinn([waiting])
        #expect(running.readOutput(until: "up", within: 120).contains("up"))
        let list = try box.jinn(["cache", "list"])
        #expect(list.output.contains("six==1.16.0") && list.output.contains("six==1.17.0"), "\(list)")
        #expect(try box.jinn(["cache", "prune"]).errors.contains("nothing to remove"))
        let clear = try box.jinn(["cache", "clear"])
        #expect(clear.output.split(separator: "\n").count == 1 && clear.errors.contains("it is in use"), "\(clear)")
        #expect(Self.environments(box).count == 1)
        running.closeInput()
        #expect(running.wait().termination == .exited(0))
        let pruned = try box.jinn(["cache", "prune", "--older-than", "0"])
        #expect(pruned.output.hasPrefix("removed "), "\(pruned)")
        #expect(Self.environments(box).isEmpty)
        // The next run makes its environment again.
        #expect(try box.jinn([other]).output.hasPrefix("1.17.0 True"))
    }

    @Test("the daemon removes environments unused for environment_max_age days, never one in use")
    func expiry() async throws {
        let box = try await Self.sandbox()
        defer { box.tearDown() }
        let old = try box.script("old.py", Self.block(["six==1.16.0"]) + Self.showSix)
        let busy = try box.script("busy.py", Self.block(["six==1.17.0"]) + "import sys\nprint('up', flush=True)\nsys.stdin.read()\n")
        let plain = try box.script("plain.py", "print('plain')\n")
        #expect(try box.jinn([old]).termination == .exited(0))
        #expect(try box.jinn(["daemon", "stop"]).termination == .exited(0))
        // A run that holds its environment without the daemon.
        let running = try box.startJinn(["--no-daemon", busy])
        #expect(running.readOutput(until: "up", within: 120).contains("up"))
        #expect(Self.environments(box).count == 2)
        // Both were last used 40 days ago, as far as the cache can tell; one is in use all the same.
        let longAgo = Date(timeIntervalSinceNow: -40 * 86_400)
        for name in Self.environments(box) {
            try FileManager.default.setAttributes([.modificationDate: longAgo],
                                                  ofItemAtPath: box.cache + "/environments/\(name)/jinn-used")
        }
        // A daemon that starts now makes its first pass within a second or two.
        #expect(try box.jinn([plain]).output == "plain\n")
        let deadline = Date(timeIntervalSinceNow: 60)
        while Self.environments(box).count > 1 && Date() < deadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(Self.environments(box).count == 1)
        running.closeInput()
        let finished = running.wait()
        #expect(finished.termination == .exited(0), "\(finished)")
        // The one in use is the one left; the removed one is made again by its next run.
        #expect(try box.jinn([busy]).output == "up\n")
        #expect(Self.environments(box).count == 1)
        #expect(try box.jinn([old]).output.hasPrefix("1.16.0 True"))
        #expect(Self.environments(box).count == 2)
    }
}

extension ScriptRunnerSandbox {
    /// The sandbox's own Jinn cache (script environments and the run index).
    var cache: String { root.path + "/cache" }
}
