import Foundation
import Jinn
import Testing

/// `jinn` against `python3` on the parts of a run that live in its own process: the import path, the
/// environment, what is in `sys.modules`, and how the interpreter shuts down.
@Suite(.serialized)
struct RunParityTests {
    @Test func aRelativePythonPathIsResolvedInTheCallersDirectory() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("show_path.py", """
            import sys, beside_the_caller, in_lib
            print(beside_the_caller.WHERE, in_lib.WHERE)
            print(sys.path[1:4])
            """)
        try box.script("caller/beside_the_caller.py", "WHERE = 'found in the caller\\'s directory'\n")
        try box.script("caller/lib/in_lib.py", "WHERE = 'found in lib'\n")
        let directory = box.scripts.path + "/caller"
        for value in [".:lib", "lib::", "./lib:" + box.root.path + ":."] {
            let (jinn, python) = try box.shellBothWays("PYTHONPATH='\(value)' PROGRAM ../show_path.py", directory: directory)
            #expect(jinn == python, "PYTHONPATH=\(value): jinn \(jinn)\npython3 \(python)")
            #expect(jinn.termination == .exited(0))
        }
    }

    @Test func finalizersRunWithTheScriptsGlobalsIntactAsUnderPython3() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        let temporary = box.root.path + "/left-behind"
        try box.script("finalizers.py", """
            import builtins, os, sys, weakref
            path = sys.argv[1]
            open(path, 'w').close()
            class Temporary:
                def __del__(self):
                    os.unlink(path)
                    print('unlinked', not os.path.exists(path))
            t = Temporary(); t.cycle = t
            class Holder: pass
            h = Holder(); h.cycle = h
            weakref.finalize(h, print, 'finalized', os.curdir)
            sys.modules['a'] = builtins
            sys.modules['six.moves.builtins'] = builtins
            sys.modules['lazy'] = object()
            print('main done')
            """)
        // A gc callback that a library registered (pytest's hypothesis plugin does) and a __del__ that imports.
        try box.script("library_of_the_script.py", """
            import gc, os
            def on_gc(phase, info):
                if phase == 'stop' and not getattr(on_gc, 'said', False):
                    on_gc.said = True
                    print('gc callback sees', os.sep)
            gc.callbacks.append(on_gc)
            class ImportsWhenFinalized:
                def __del__(self):
                    import json
            keep = ImportsWhenFinalized()
            """)
        try box.script("callbacks.py", "import library_of_the_script\nprint('main done')\n")
        let jinn = try box.jinn(["finalizers.py", temporary])
        #expect(!FileManager.default.fileExists(atPath: temporary))
        let python = try box.python3(["finalizers.py", temporary])
        #expect(jinn == python, "jinn \(jinn)\npython3 \(python)")
        #expect(jinn.output == "main done\nfinalized .\nunlinked True\n")
        #expect(jinn.termination == .exited(0))
        let jinnCallbacks = try box.jinn(["callbacks.py"])
        let pythonCallbacks = try box.python3(["callbacks.py"])
        #expect(jinnCallbacks == pythonCallbacks, "jinn \(jinnCallbacks)\npython3 \(pythonCallbacks)")
        #expect(jinnCallbacks.output.contains("gc callback sees /"))
    }

    @Test func anImportInAFinalizerFailsAsUnderPython3() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        // os is loaded in every run, and python3 has emptied sys.modules by the time the cycle is collected.
        try box.script("imports.py", """
            class ImportsWhenFinalized:
                def __del__(self):
                    try:
                        import os
                    except ImportError as error:
                        print('caught', repr(error), 'raised here:', error.__traceback__.tb_next is None)
            keep = ImportsWhenFinalized(); keep.cycle = keep
            print('main done')
            """)
        let jinn = try box.jinn(["imports.py"])
        let python = try box.python3(["imports.py"])
        #expect(jinn == python, "jinn \(jinn)\npython3 \(python)")
        #expect(jinn.output == """
            main done
            caught ImportError('sys.meta_path is None, Python is likely shutting down') raised here: True

            """)
    }

    @Test func aFailingFinalFlushEndsAsUnderPython3() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("prints.py", "print('x' * 10)\n")
        try box.script("exits.py", "import sys\nprint('x')\nsys.exit(3)\n")
        // A pipe whose reader has gone: python3 ignores SIGPIPE and sees EPIPE, as the run does.
        let closedPipe = "import os, subprocess, sys; r, w = os.pipe(); os.close(r); sys.exit(subprocess.call(sys.argv[1:], stdout=w))"
        let python = box.python.executable
        for command in ["PROGRAM prints.py > /dev/full; echo status=$? >&2",
                        "PROGRAM exits.py > /dev/full; echo status=$? >&2",
                        "PROGRAM -c 'print(1)' > /dev/full; echo status=$? >&2",
                        "\(python) -c '\(closedPipe)' PROGRAM prints.py; echo status=$? >&2"] {
            let (jinn, python) = try box.shellBothWays("unset PYTHONUNBUFFERED; " + command)
            #expect(jinn == python, "\(command): jinn \(jinn)\npython3 \(python)")
            #expect(jinn.errors.hasPrefix("Exception ignored in: <_io.TextIOWrapper name='<stdout>'"), "\(jinn)")
            #expect(jinn.errors.split(separator: "\n").count == 3, "\(jinn)")
        }
    }

    @Test func theStandardStreamsAreFlushedInPython3sOrder() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("both.py", "import sys\nprint('out', end='')\nsys.stderr.write('err')\n")
        try box.script("both_fails.py", "import sys\nprint('out', end='')\nsys.stderr.write('err')\nraise ValueError('x')\n")
        for command in ["PROGRAM both.py 2>&1", "PROGRAM both_fails.py 2>&1",
                        "PROGRAM -c \"import sys; print('out', end=''); sys.stderr.write('err')\" 2>&1"] {
            let (jinn, python) = try box.shellBothWays(command)
            #expect(jinn == python, "\(command): jinn \(jinn)\npython3 \(python)")
        }
    }

    @Test func anEmptyEnvironmentGetsPython3sLocaleCoercionAndTheCallersOrder() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("environment.py", """
            import os, subprocess, sys
            print(list(os.environ.items()))
            print(sys.stdout.encoding, sys.stderr.encoding, sys.flags.utf8_mode, sys.getfilesystemencoding())
            print('é')
            # What a subprocess inherits: the same variables (the order of changed ones differs, see Limits).
            print(sorted(subprocess.run(['/usr/bin/env'], capture_output=True).stdout.splitlines()))
            """)
        let keep = "PATH=\"$PATH\" JINN_SOCKET_DIR=\"$JINN_SOCKET_DIR\" JINN_CONFIG=\"$JINN_CONFIG\" HOME=\"$HOME\""
        // A daemon started with the sandbox's environment serves the bare ones too.
        _ = try box.jinn(["-c", "pass"])
        for command in ["env -i ZULU=1 \(keep) ALPHA=2 PROGRAM environment.py",
                        "env -i LC_CTYPE=C \(keep) MIKE=3 PROGRAM environment.py",
                        "env -i LC_ALL=C \(keep) PROGRAM environment.py"] {
            let (jinn, python) = try box.shellBothWays(command)
            #expect(jinn == python, "\(command): jinn \(jinn)\npython3 \(python)")
            #expect(jinn.termination == .exited(0))
        }
    }

    @Test func sysModulesHoldsWhatPython3sDoes() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("modules.py", "import sys\nprint(sorted(sys.modules))\n")
        try box.script("imports.py", "import sys, socket, selectors, ctypes\nprint(sorted(sys.modules), socket.socket)\n")
        for arguments in [["modules.py"], ["imports.py"], ["-m", "modules"], ["-c", "import sys; print(list(sys.modules))"]] {
            let jinn = try box.jinn(arguments)
            let python = try box.python3(arguments)
            #expect(jinn == python, "\(arguments): jinn \(jinn)\npython3 \(python)")
        }
    }

    @Test func anExplicitPreloadIsAllThatIsAddedToSysModules() async throws {
        let box = try await ScriptRunnerSandbox(configuration: "preload = [\"json\"]\n")
        defer { box.tearDown() }
        try box.script("modules.py", "import sys\nprint(sorted(sys.modules))\n")
        let jinn = try box.jinn(["modules.py"])
        // The preload and what it imported are there, as after `import json` under python3; nothing else is.
        let python = try box.python3(["-c", "import json, sys; print(sorted(sys.modules))"])
        #expect(jinn == python, "jinn \(jinn)\npython3 \(python)")
    }

    @Test func aZygotesHashSeedServesABoundedNumberOfRuns() async throws {
        let box = try await ScriptRunnerSandbox(configuration: "hash_seed_runs = 3\n")
        defer { box.tearDown() }
        let code = "print(hash('jinn'), flush=True)"
        // python3 draws a seed per run; under jinn a fresh zygote takes over once one seed has served three runs.
        var seen: [String] = []
        for _ in 0..<300 where Set(seen).count < 3 {
            let outcome = try box.jinn(["-c", code])
            #expect(outcome.termination == .exited(0))
            seen.append(outcome.output)
            usleep(20_000)
        }
        #expect(Set(seen).count >= 3, "\(seen)")
        // The first seed served its three runs, and more only while its successor was getting ready.
        #expect(seen.prefix(3).allSatisfy { $0 == seen[0] }, "\(seen)")
        #expect(box.log().contains("its hash seed served 3 runs"))
        // A fixed PYTHONHASHSEED is never rotated, and gives what it gives python3.
        let fixed = try (0..<5).map { _ in try box.jinn(["-c", code], environment: ["PYTHONHASHSEED": "7"]).output }
        let python = try box.python3(["-c", code], environment: ["PYTHONHASHSEED": "7"]).output
        #expect(fixed == Array(repeating: python, count: 5))
    }

    @Test func psShowsTheCommandLinePython3WouldHave() async throws {
        let box = try await ScriptRunnerSandbox()
        defer { box.tearDown() }
        try box.script("ps.py", """
            import os, subprocess
            subprocess.run(['ps', '-o', 'args=', '-p', str(os.getpid())])
            print(open('/proc/self/cmdline', 'rb').read().replace(b'\\0', b' ').strip())
            """)
        for arguments in [["ps.py", "one", "two words"], ["-c", "import subprocess, os; subprocess.run(['ps', '-o', 'args=', '-p', str(os.getpid())])", "x"]] {
            // Run by the interpreter's full path, the name the run shows for it.
            let jinn = try box.jinn(arguments)
            let python = try box.python3(arguments)
            #expect(jinn == python, "\(arguments): jinn \(jinn)\npython3 \(python)")
            #expect(jinn.output.hasPrefix(box.python.executable), "\(jinn)")
        }
    }
}
