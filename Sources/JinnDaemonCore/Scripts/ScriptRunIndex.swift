import CJinn
import JinnSystem
import JinnWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What decides a script run's environment, as the client sees it before parsing anything: the block's bytes,
/// `--with` and `--requirements` (their contents), the script's lock file and the default interpreter.
///
/// Two runs with the same inputs get the same environment, so the client looks the inputs up in an index that
/// `jinn-tool` writes once the environment exists. The index entry holds the inputs themselves, so that a hash
/// collision can only miss, never give a wrong environment.
///
/// ```swift
/// let inputs = ScriptRunInputs(block: Array("dependencies = [\"six\"]\n".utf8), with: [], requirementFiles: [],
///                              lock: nil, defaultInterpreter: "/usr/bin/python3")
/// print(inputs.indexName)   // 16 hexadecimal digits
/// ```
package struct ScriptRunInputs: Sendable, Equatable {
    /// The serialized inputs.
    package private(set) var bytes: [UInt8] = Array("jinn-run-inputs 1\n".utf8)

    package init(block: [UInt8]?, with: [[UInt8]], requirementFiles: [[UInt8]], lock: [UInt8]?,
                 defaultInterpreter: [UInt8])
    {
        append("block", block ?? [])
        for item in with { append("with", item) }
        for contents in requirementFiles { append("requirements", contents) }
        append("lock", lock ?? [])
        append("python", defaultInterpreter)
    }

    private mutating func append(_ field: String, _ value: [UInt8]) {
        bytes += Array(field.utf8) + [0] + Array(String(value.count).utf8) + [0] + value
    }

    /// The index entry's file name: FNV-1a (64 bits) of the inputs, in hexadecimal.
    package var indexName: String { FNV1a.hexadecimal(bytes) }
}

/// The index from a run's inputs to its environment, under `<cache>/scripts`.
package enum ScriptRunIndex {
    /// A file or directory of the index that could not be written.
    package struct WriteError: Error, CustomStringConvertible {
        package var path: String
        package var error: Errno
        package var description: String { "cannot write '\(path)': \(error)" }
    }

    /// Jinn's cache directory: `JINN_CACHE_DIR`, `$XDG_CACHE_HOME/jinn`, `~/.cache/jinn` (as the library's
    /// `JinnPaths.cacheDirectory` decides).
    package static func cacheDirectory(environment: (String) -> String? = ProcessEnvironment.value(of:)) -> String {
        if let explicit = environment("JINN_CACHE_DIR"), !explicit.isEmpty { return explicit }
        if let cache = environment("XDG_CACHE_HOME"), cache.hasPrefix("/") { return cache + "/jinn" }
        if let home = environment("HOME"), !home.isEmpty { return home + "/.cache/jinn" }
        if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir { return String(cString: directory) + "/.cache/jinn" }
        return "/tmp/jinn-cache-\(getuid())"
    }

    /// The environment recorded for `inputs`, when its entry matches them and the environment is still there:
    /// its directory and interpreter.
    package static func lookup(_ inputs: ScriptRunInputs, cacheDirectory: String)
        -> (environment: String, interpreter: String)?
    {
        guard let entry = FileSystem.readFile(path(of: inputs, cacheDirectory: cacheDirectory)) else { return nil }
        let parts = entry.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].elementsEqual(inputs.bytes) else { return nil }
        let environment = String(decoding: parts[0], as: UTF8.self)
        let interpreter = String(decoding: parts[1], as: UTF8.self)
        guard ExecutableSearch.isExecutableFile(interpreter) else { return nil }
        return (environment, interpreter)
    }

    /// Records that `inputs` run in `environment` with `interpreter`: written aside and renamed into place, so a
    /// reader sees the old entry or the new one.
    package static func record(_ inputs: ScriptRunInputs, environment: String, interpreter: String,
                               cacheDirectory: String) throws(ScriptRunIndex.WriteError)
    {
        let directory = cacheDirectory + "/" + ScriptEnvironmentFiles.index
        try makeDirectories(directory)
        let target = path(of: inputs, cacheDirectory: cacheDirectory)
        let staging = target + ".\(getpid()).tmp"
        let fd = retryingInterrupts { open(staging, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw WriteError(path: staging, error: Errno.current) }
        let file = OwnedDescriptor(taking: fd)
        let bytes = Array(environment.utf8) + [0] + Array(interpreter.utf8) + [0] + inputs.bytes
        let written = bytes.withUnsafeBytes { jinn_write_all(file.rawValue, $0.baseAddress, $0.count) }
        guard written == 0, rename(staging, target) == 0 else {
            let error = Errno.current
            unlink(staging)
            throw WriteError(path: target, error: error)
        }
    }

    /// Marks an environment in use for the life of this process (and of a program it `exec`s, once close-on-exec
    /// is cleared): takes a shared lock on its usage file and touches it. Nil when the environment is gone (it was
    /// removed since the index named it).
    package static func markInUse(_ environment: String) -> Int32? {
        let usage = environment + "/" + ScriptEnvironmentFiles.usage
        var fd = retryingInterrupts { open(usage, O_RDWR | O_CLOEXEC) }
        guard fd >= 0 else { return nil }
        if fd <= 2 {
            // A standard descriptor was closed: the run must find it closed too, not this file in its place.
            let moved = fcntl(fd, F_DUPFD_CLOEXEC, 3)
            close(fd)
            guard moved >= 0 else { return nil }
            fd = moved
        }
        // Removal takes the exclusive lock and renames the environment away before it lets go: once this lock is
        // held, the environment is there for as long as it is held, or it is gone already.
        guard retryingInterrupts({ flock(fd, LOCK_SH) }) == 0, FileSystem.status(environment + "/pyvenv.cfg") != nil
        else {
            close(fd)
            return nil
        }
        _ = futimens(fd, nil)
        return fd
    }

    private static func path(of inputs: ScriptRunInputs, cacheDirectory: String) -> String {
        cacheDirectory + "/" + ScriptEnvironmentFiles.index + "/" + inputs.indexName
    }

    private static func makeDirectories(_ path: String) throws(ScriptRunIndex.WriteError) {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw WriteError(path: prefix, error: Errno.current)
            }
        }
    }
}

extension ScriptRunInputs {
    /// What a run's sources of dependencies say before anything is parsed.
    package enum Gathered: Equatable {
        /// No block, no `--with`, no `--requirements`: the run needs no environment of its own.
        case none
        /// The inputs to look up.
        case inputs(ScriptRunInputs)
        /// A file could not be read or the block is malformed: `jinn-tool` reports what is wrong.
        case unreadable
    }

    /// The inputs of a run of `script` (nil for `-c` and `-m`) with `--with` items and `--requirements` files.
    /// A script is read whole (it is small, and the interpreter reads it again); the lock beside it
    /// (`SCRIPT.lock`) counts only when the run has dependencies.
    /// `defaultInterpreter` is asked only when the run has dependencies.
    package static func gather(script: String?, with: [[UInt8]], requirementFiles: [String],
                               defaultInterpreter: () -> String?) -> Gathered
    {
        var block: [UInt8]?
        if let script, let source = FileSystem.readFile(script, limit: 16 << 20), ScriptBlock.mayHoldBlock(source) {
            do {
                block = try ScriptBlock.find(in: source)?.content
            } catch {
                return .unreadable
            }
        }
        guard block != nil || !with.isEmpty || !requirementFiles.isEmpty else { return .none }
        var files: [[UInt8]] = []
        for path in requirementFiles {
            guard let contents = FileSystem.readFile(path) else { return .unreadable }
            files.append(contents)
        }
        guard let python = defaultInterpreter() else { return .unreadable }
        var lock: [UInt8]?
        if let script {
            lock = FileSystem.readFile(script + ".lock")
            if lock == nil && errno != ENOENT { return .unreadable }
        }
        return .inputs(ScriptRunInputs(block: block, with: with, requirementFiles: files, lock: lock,
                                       defaultInterpreter: Array(python.utf8)))
    }
}
