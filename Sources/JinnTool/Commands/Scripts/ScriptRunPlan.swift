import Foundation
import Jinn
import JinnDaemonCore

/// Where a run's dependencies come from (a script's block, `--with`, `--requirements`, the script's lock), and
/// what follows from them: the needs, the interpreter and the environment that holds them.
struct ScriptRunPlan {
    var script: String?
    var with: [String]
    var requirementFiles: [String]
    /// The interpreter used when the block does not ask for another: the configured one, or `python3` on `PATH`.
    var defaultInterpreter: String

    var metadata: ScriptMetadata?
    var needs: ScriptNeeds
    /// The lock file beside the script, when there is one.
    var lockPath: String?

    /// Reads and checks every source; nothing is installed.
    ///
    /// - Parameter useLock: whether the script's lock (`SCRIPT.lock`) decides the pins.
    init(script: String?, with: [String], requirementFiles: [String], defaultInterpreter: String,
         useLock: Bool = true) throws(ScriptInputError)
    {
        self.script = script
        self.with = with
        self.requirementFiles = requirementFiles
        self.defaultInterpreter = defaultInterpreter
        metadata = try script.flatMap { path throws(ScriptInputError) in try ScriptMetadata.read(script: path) }
        var requirements = metadata?.requirements ?? []
        for item in with {
            do {
                requirements.append(try PackageRequirement(item))
            } catch {
                throw ScriptInputError(file: "--with", message: "\(error)")
            }
        }
        for file in requirementFiles { requirements += try Self.requirements(inFile: file) }
        var lock: LockFile?
        if useLock, let script, FileManager.default.fileExists(atPath: script + ".lock") {
            do {
                lock = try LockFile(contentsOf: script + ".lock")
            } catch {
                throw ScriptInputError(file: script + ".lock", message: "\(error)")
            }
            lockPath = script + ".lock"
        }
        needs = ScriptNeeds(requirements: requirements, lock: lock, preload: metadata?.preload ?? [])
        if let lock, case let missing = needs.unsatisfied(by: lock), !missing.isEmpty {
            throw ScriptInputError(file: script! + ".lock", message: "does not satisfy "
                + missing.joined(separator: ", ") + " of the script; run `jinn lock \(script!)` again")
        }
    }

    /// The lines of a requirements file: one PEP 508 requirement each, `#` comments, blank lines.
    static func requirements(inFile path: String) throws(ScriptInputError) -> [PackageRequirement] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScriptInputError(file: path, message: "cannot be read")
        }
        var result: [PackageRequirement] = []
        for (number, rawLine) in String(decoding: data, as: UTF8.self).split(separator: "\n",
                                                                               omittingEmptySubsequences: false)
            .enumerated()
        {
            var line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if let comment = line.range(of: " #") ?? (line.hasPrefix("#") ? line.startIndex..<line.startIndex : nil) {
                line = line[..<comment.lowerBound]
            }
            guard line.contains(where: { !$0.isWhitespace }) else { continue }
            if line.trimmingPrefix(while: \.isWhitespace).hasPrefix("-") {
                throw ScriptInputError(file: path, line: number + 1, message: "options (\(line.split(separator: " ")[0])) "
                    + "are not taken in a script's requirements; list requirements only")
            }
            do {
                result.append(try PackageRequirement(String(line)))
            } catch {
                throw ScriptInputError(file: path, line: number + 1, message: "\(error)")
            }
        }
        return result
    }

    /// The interpreter for the needs: the default one unless `requires-python` (or the lock's Python) asks for
    /// another.
    func interpreter() async throws(JinnError) -> PythonInterpreter {
        var clauses: [String] = []
        if let requiresPython = metadata?.requiresPython { clauses.append(requiresPython.description) }
        if let lock = needs.lock {
            clauses.append("==" + lock.python.version.split(separator: ".").prefix(2).joined(separator: ".") + ".*")
        }
        guard !clauses.isEmpty else { return try await PythonInterpreter(path: defaultInterpreter) }
        return try await InterpreterDiscovery.interpreter(matching: try VersionSpecifier(clauses.joined(separator: ",")),
                                                         preferred: defaultInterpreter)
    }

    /// What the client looks up for this run, read from the files as the client reads them.
    var inputs: ScriptRunInputs? {
        guard case .inputs(let inputs) = ScriptRunInputs.gather(
            script: script, with: with.map { Array($0.utf8) }, requirementFiles: requirementFiles,
            defaultInterpreter: { defaultInterpreter }) else { return nil }
        return inputs
    }
}
