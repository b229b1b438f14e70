import CJinn
import Foundation
import JinnSystem

/// Builds a directory beside its final place and moves it there only when it is complete.
///
/// Everything happens under a lock file next to the target (`.NAME.jinn-lock`), so that two processes building
/// the same target take turns: the second one finds the first one's result. The work happens in a sibling
/// (`.NAME.jinn-tmp-…`) on the same file system, so the final `rename` is atomic: the target either does not
/// exist or is complete. Siblings left by a process that died are removed by the next one that takes the lock, and
/// by any command that lists or names the environments of their parent (``removeStaleBuilds(in:)``).
enum StagedDirectory {
    /// Takes the lock of `target`, creating its parent directory if needed.
    static func lock(_ target: String, timeout: Duration?, onWait: (@Sendable () -> Void)? = nil)
        async throws(JinnError) -> FileLock
    {
        let (parent, name) = split(target)
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw .environment(.fileSystem(operation: "creating the directory", path: parent,
                                           reason: error.localizedDescription))
        }
        return try await FileLock.acquire(parent + "/." + name + ".jinn-lock", timeout: timeout, onWait: onWait)
    }

    /// Builds `target` with `body`, which fills the staging directory whose path it receives (and which does
    /// not exist yet). The caller holds the lock. An existing target is replaced only after `body` succeeded.
    ///
    /// - Parameter relocate: rewrite the staging path to the final one in the files of a Python environment
    ///   that record it (see ``EnvironmentRelocation``).
    static func build(_ target: String, relocate: Bool = false,
                      _ body: (String) async throws(JinnError) -> Void) async throws(JinnError)
    {
        let (parent, name) = split(target)
        removeLeftovers(parent: parent, name: name)
        let staging = parent + "/." + name + ".jinn-tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do throws(JinnError) {
            try await body(staging)
            if Task.isCancelled { throw JinnError.environment(.cancelled(operation: "building \(target)")) }
            if relocate { try EnvironmentRelocation.rewrite(in: staging, from: staging, to: target) }
            if FileManager.default.fileExists(atPath: target) || isSymbolicLink(target) {
                let trash = parent + "/." + name + ".jinn-trash-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
                try rename(target, trash)
                try rename(staging, target)
                try? FileManager.default.removeItem(atPath: trash)
            } else {
                try rename(staging, target)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// Removes `target`: first renamed away (atomic, so nothing half-deleted ever sits at the target), then
    /// deleted. The caller holds the lock.
    static func remove(_ target: String) throws(JinnError) {
        let (parent, name) = split(target)
        let trash = parent + "/." + name + ".jinn-trash-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try rename(target, trash)
        try? FileManager.default.removeItem(atPath: trash)
    }

    private static func rename(_ from: String, _ to: String) throws(JinnError) {
        guard Foundation.rename(from, to) == 0 else {
            throw .environment(.fileSystem(operation: "moving \(from) to", path: to,
                                           reason: Errno.current.description))
        }
    }

    /// Removes what builds that died left in `parent` (their staging and trash siblings), for each name whose
    /// lock no one holds; a build in progress holds its lock, and its staging directory is left alone.
    static func removeStaleBuilds(in parent: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        var names = Set<String>()
        for entry in entries where entry.hasPrefix(".") {
            for marker in [".jinn-tmp-", ".jinn-trash-"] {
                guard let range = entry.range(of: marker) else { continue }
                names.insert(String(entry[entry.index(after: entry.startIndex)..<range.lowerBound]))
            }
        }
        for name in names {
            let fd = retryingInterrupts { open(parent + "/." + name + ".jinn-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
            guard fd >= 0 else { continue }
            let lock = OwnedDescriptor(taking: fd)
            // Closing the descriptor (as `lock` ends) drops the lock.
            if jinn_try_lock(lock.rawValue) == 0 { removeLeftovers(parent: parent, name: name) }
        }
    }

    private static func removeLeftovers(parent: String, name: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        for entry in entries where entry.hasPrefix("." + name + ".jinn-tmp-") || entry.hasPrefix("." + name + ".jinn-trash-") {
            try? FileManager.default.removeItem(atPath: parent + "/" + entry)
        }
    }

    static func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    /// The parent directory and last component of an absolute, standardized path.
    static func split(_ target: String) -> (parent: String, name: String) {
        let url = URL(fileURLWithPath: target).standardizedFileURL
        return (url.deletingLastPathComponent().path, url.lastPathComponent)
    }
}
