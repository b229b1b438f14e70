import Foundation
import Jinn
import JinnWire
import Testing

/// Adaptive preloading as a user meets it: with no configuration, the libraries a script's runs import are
/// preloaded in its environment's next zygote; the ones that misbehave in a zygote are refused for good; every run
/// prints and ends as under python3 throughout.
@Suite(.serialized)
struct AdaptivePreloadTests {
    /// The current (not retired) ready zygote's reasons for its preloads, once it has one for `module`.
    private func learnedZygote(_ box: ScriptRunnerSandbox, preloading module: String) throws -> PythonValue? {
        let zygotes = try box.request(.status)["zygotes"]?.elements ?? []
        return zygotes.first { zygote in
            zygote["ready"]?.boolValue == true && zygote["retired"]?.boolValue == false
                && zygote["why"]?[.string(module)] != nil
        }
    }

    @Test func librariesThatThreeRunsImportArePreloadedInTheNextZygoteAndSeenOnlyOnceImported() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let hasNumpy = try box.python3(["-c", "import numpy"]).termination == .exited(0)
        // A library that notes each process that executes it.
        let library = box.root.path + "/library"
        try FileManager.default.createDirectory(atPath: library, withIntermediateDirectories: true)
        let executions = box.root.path + "/executions"
        try "import os\nwith open(\(String(reflecting: executions)), 'a') as log:\n    log.write('%d\\n' % os.getpid())\n"
            .write(toFile: library + "/jinn_counted.py", atomically: true, encoding: .utf8)
        let environment = ["PYTHONPATH": library]
        let modules = (hasNumpy ? ["decimal", "numpy"] : ["decimal"]) + ["jinn_counted"]
        // The first line is what the script sees before its own imports: what python3 has there.
        let script = try box.script("observe.py", """
            import sys
            print([name in sys.modules for name in \(modules)])
            import decimal, jinn_counted
            \(hasNumpy ? "import numpy\nprint(numpy.arange(4).sum(), 'numpy.linalg' in sys.modules)" : "print(6)")
            print(decimal.Decimal('1.5') + 1, 'decimal' in sys.modules)
            raise SystemExit(3)
            """)
        let expected = try box.python3([script], environment: environment)
        #expect(expected.termination == .exited(3) && expected.output.hasPrefix("[False"), "\(expected)")
        for _ in 0..<3 {
            let outcome = try box.jinn([script], environment: environment)
            #expect(outcome.termination == expected.termination && outcome.output == expected.output
                    && outcome.errors == expected.errors, "\(outcome)")
        }
        // A successor that preloads them takes over, off the runs' path.
        var zygote: PythonValue?
        let learned = try eventually(within: 60) {
            zygote = try learnedZygote(box, preloading: "jinn_counted")
            return zygote != nil
        }
        #expect(learned)
        for module in modules {
            #expect(zygote?["why"]?[.string(module)]?.stringValue == "learned: imported by 3 of the last 3 runs",
                    "\(String(describing: zygote))")
        }
        let executed = try String(contentsOfFile: executions, encoding: .utf8)
        // A warm run sees none of them until it imports them, and then gets the zygote's: nothing runs again.
        let warm = try box.jinn([script], environment: environment)
        #expect(warm.output == expected.output && warm.errors == expected.errors
                && warm.termination == expected.termination, "\(warm)")
        #expect(try String(contentsOfFile: executions, encoding: .utf8) == executed)
        let status = try box.jinn(["daemon", "status"], environment: environment)
        #expect(status.output.contains("decimal (learned: imported by 3 of the last 3 runs)"), "\(status)")
    }

    @Test func preloadsThatFailPrintStartThreadsOrTakeTooLongAreNeverPreloadedAgain() async throws {
        let box = try await ScriptRunnerSandbox(configuration: "preload_time_limit = 1\n")
        defer { box.tearDown() }
        // A library directory on PYTHONPATH, so its modules count as libraries (the script's own do not). Two of
        // them misbehave only where a zygote imports them (its working directory is /), as environment-dependent
        // libraries do.
        let library = box.root.path + "/library"
        try FileManager.default.createDirectory(atPath: library, withIntermediateDirectories: true)
        let modules = [
            "jinn_prints": "print('jinn_prints says hello')\n",
            "jinn_threads": "import threading\nthreading.Thread(target=threading.Event().wait, daemon=True).start()\n",
            "jinn_raises": "import os\nif os.getcwd() == '/':\n    raise RuntimeError('not from /')\n",
            "jinn_slow": "import os, time\nif os.getcwd() == '/':\n    time.sleep(2)\n",
        ]
        for (name, text) in modules {
            try text.write(toFile: "\(library)/\(name).py", atomically: true, encoding: .utf8)
        }
        let environment = ["PYTHONPATH": library]
        let script = try box.script("misbehaving.py", """
            import sys
            print('json' in sys.modules)
            import jinn_prints, jinn_threads, jinn_raises, jinn_slow, json
            print(json.dumps({'ok': True}))
            """)
        let expected = try box.python3([script], environment: environment)
        #expect(expected.termination == .exited(0) && expected.output.hasPrefix("False\njinn_prints says hello\n"),
                "\(expected)")
        for _ in 0..<3 {
            let outcome = try box.jinn([script], environment: environment)
            #expect(outcome.termination == expected.termination && outcome.output == expected.output
                    && outcome.errors == expected.errors, "\(outcome)")
        }
        // The successor that preloaded all five is refused; the next preloads json only.
        var skipped: [String: String] = [:]
        var mismatches: [String] = []
        let settled = try eventually(within: 60) {
            // Each run after the refusal reports json again, until a zygote preloads it.
            let outcome = try box.jinn([script], environment: environment)
            let afterFirstLine = String(expected.output.drop { $0 != "\n" })
            if outcome.termination != expected.termination || !outcome.output.hasSuffix(afterFirstLine)
                || outcome.errors != expected.errors
            {
                mismatches.append("\(outcome)")
            }
            let status = try box.request(.status)
            skipped = Dictionary((status["skipped_preloads"]?.elements ?? []).compactMap { item in
                item["module"]?.stringValue.map { ($0, item["reason"]?.stringValue ?? "") }
            }) { first, _ in first }
            return try skipped.count == 4 && learnedZygote(box, preloading: "json") != nil
        }
        #expect(settled, "\(skipped)")
        #expect(mismatches.isEmpty, "\(mismatches)")
        #expect(skipped["jinn_prints"]?.hasPrefix("its import wrote to the terminal") == true, "\(skipped)")
        #expect(skipped["jinn_threads"] == "its import started a thread", "\(skipped)")
        #expect(skipped["jinn_raises"] == "its import failed: RuntimeError: not from /", "\(skipped)")
        #expect(skipped["jinn_slow"]?.hasPrefix("its import took") == true, "\(skipped)")
        let zygote = try learnedZygote(box, preloading: "json")
        #expect(zygote?["preloaded"]?.elements?.compactMap(\.stringValue) == ["json"], "\(String(describing: zygote))")
        // From now on json is preloaded, which the runs see only once they import it: nothing else changes.
        let warm = try box.jinn([script], environment: environment)
        #expect(warm.output == expected.output && warm.errors == expected.errors, "\(warm)")
        let status = try box.jinn(["daemon", "status"])
        #expect(status.output.contains("not preloaded: jinn_threads for"), "\(status)")
        #expect(status.output.contains("its import started a thread"), "\(status)")
        #expect(status.output.contains("json (learned: imported by"), "\(status)")
    }
}
