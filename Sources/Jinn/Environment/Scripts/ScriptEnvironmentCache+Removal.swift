import Foundation
import JinnSystem
import JinnWire

extension ScriptEnvironmentCache {
    /// What a removal did.
    public struct Removal: Sendable, Hashable {
        /// The environments removed.
        public var removed: [String] = []
        /// The environments kept because a run is using them, or another process is making or removing them.
        public var inUse: [String] = []
    }

    /// Removes the environments no run has used for `age` (every environment when `age` is nil), except those
    /// in use. The daemon calls this when it starts and then hourly, and `jinn` after it made an environment, with
    /// the configured `environment_max_age`.
    ///
    /// An environment in use is one a run holds the shared lock of (see ``ScriptEnvironmentFiles/usage``); removal
    /// takes the exclusive lock without waiting, renames the environment away while it holds it, then deletes it,
    /// so a run either sees the whole environment or none.
    @discardableResult
    public func remove(unusedFor age: Duration?, now: Date = Date()) async -> Removal {
        var removal = Removal()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = root + "/" + name
            guard let environment = ScriptEnvironment.read(at: path) else { continue }
            if let age {
                let seconds = Double(age.components.seconds)
                guard now.timeIntervalSince(environment.lastUsed ?? environment.created) >= seconds else { continue }
            }
            guard let buildLock = try? await StagedDirectory.lock(path, timeout: .zero) else {
                removal.inUse.append(path)
                continue
            }
            defer { buildLock.release() }
            let usage = retryingInterrupts { open(path + "/" + Self.usageFile, O_RDWR | O_CLOEXEC) }
            guard usage >= 0 else { continue }
            let file = OwnedDescriptor(taking: usage)
            guard flock(file.rawValue, LOCK_EX | LOCK_NB) == 0, (try? StagedDirectory.remove(path)) != nil else {
                removal.inUse.append(path)
                continue
            }
            PythonInterpreter.forgetInspections(under: path)
            removal.removed.append(path)
        }
        removeStaleIndexEntries()
        return removal
    }

    /// Removes the run index's entries whose environment is gone (they would only miss).
    private func removeStaleIndexEntries() {
        let index = cacheDirectory + "/" + ScriptEnvironmentFiles.index
        for name in (try? FileManager.default.contentsOfDirectory(atPath: index)) ?? [] {
            let entry = index + "/" + name
            guard let data = FileManager.default.contents(atPath: entry),
                  let end = data.firstIndex(of: 0) else { continue }
            let environment = String(decoding: data[..<end], as: UTF8.self)
            if !FileManager.default.fileExists(atPath: environment + "/pyvenv.cfg") {
                try? FileManager.default.removeItem(atPath: entry)
            }
        }
    }
}
