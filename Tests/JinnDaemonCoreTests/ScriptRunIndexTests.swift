import Foundation
import JinnDaemonCore
import JinnWire
import Testing

/// The index a warm run finds its environment in.
struct ScriptRunIndexTests {
    private func inputs(_ block: String, python: String = "/usr/bin/python3") -> ScriptRunInputs {
        ScriptRunInputs(block: Array(block.utf8), with: [], requirementFiles: [], lock: nil,
                        defaultInterpreter: Array(python.utf8))
    }

    @Test func anEntryIsFoundByTheSameInputsOnly() throws {
        let cache = NSTemporaryDirectory() + "/jinn-index-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let environment = cache + "/environments/abc"
        try FileManager.default.createDirectory(atPath: environment + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: environment + "/bin/python", withDestinationPath: "/bin/sh")
        let first = inputs("dependencies = [\"six\"]\n")
        try ScriptRunIndex.record(first, environment: environment, interpreter: environment + "/bin/python",
                                  cacheDirectory: cache)
        #expect(ScriptRunIndex.lookup(first, cacheDirectory: cache)?.environment == environment)
        #expect(ScriptRunIndex.lookup(inputs("dependencies = [\"six\"]\n", python: "/other/python3"),
                                      cacheDirectory: cache) == nil)
        #expect(ScriptRunIndex.lookup(inputs("dependencies = [\"idna\"]\n"), cacheDirectory: cache) == nil)
        // An entry under the same name whose inputs differ (a collision) is a miss, not a wrong environment.
        let other = inputs("dependencies = [\"idna\"]\n")
        let entry = cache + "/" + ScriptEnvironmentFiles.index + "/" + first.indexName
        try FileManager.default.removeItem(atPath: entry)
        try ScriptRunIndex.record(other, environment: environment, interpreter: environment + "/bin/python",
                                  cacheDirectory: cache)
        try FileManager.default.moveItem(atPath: cache + "/" + ScriptEnvironmentFiles.index + "/" + other.indexName,
                                         toPath: entry)
        #expect(ScriptRunIndex.lookup(first, cacheDirectory: cache) == nil)
        // An environment that is gone is a miss too.
        try FileManager.default.removeItem(atPath: environment + "/bin/python")
        #expect(ScriptRunIndex.lookup(other, cacheDirectory: cache) == nil)
    }

    @Test func gatheringReadsTheBlockTheFilesAndTheLock() throws {
        let directory = NSTemporaryDirectory() + "/jinn-gather-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plain = directory + "/plain.py", withBlock = directory + "/block.py"
        try "print(1)\n".write(toFile: plain, atomically: true, encoding: .utf8)
        try "# /// script\n# dependencies = []\n# ///\n".write(toFile: withBlock, atomically: true, encoding: .utf8)
        var asked = false
        let python = { () -> String? in
            asked = true
            return "/usr/bin/python3"
        }
        #expect(ScriptRunInputs.gather(script: plain, with: [], requirementFiles: [], defaultInterpreter: python) == .none)
        #expect(!asked)  // a script without dependencies costs no search for an interpreter
        guard case .inputs(let unlocked) = ScriptRunInputs.gather(script: withBlock, with: [], requirementFiles: [],
                                                                  defaultInterpreter: python)
        else { Issue.record("no inputs"); return }
        try "{}".write(toFile: withBlock + ".lock", atomically: true, encoding: .utf8)
        guard case .inputs(let locked) = ScriptRunInputs.gather(script: withBlock, with: [], requirementFiles: [],
                                                                defaultInterpreter: python)
        else { Issue.record("no inputs"); return }
        #expect(locked != unlocked)
        #expect(ScriptRunInputs.gather(script: plain, with: [], requirementFiles: [directory + "/missing.txt"],
                                       defaultInterpreter: python) == .unreadable)
        #expect(ScriptRunInputs.gather(script: nil, with: [Array("six".utf8)], requirementFiles: [],
                                       defaultInterpreter: python) != .none)
    }
}
