import JinnSystem
import JinnWire

extension Configuration {
    /// What a run takes from its own client's configuration: the interpreter, the preloads, and the bounds of
    /// its zygote's start and hash seed.
    package var runSettings: RunSettings {
        RunSettings(interpreter: interpreter, interpreterOrigin: interpreterOrigin, preload: preload,
                    preloadTimeLimit: preloadTimeLimit, zygoteStartTimeout: zygoteStartTimeout,
                    hashSeedRuns: hashSeedRuns, hashSeedLifetime: hashSeedLifetime, file: file,
                    fileVersion: fileVersion)
    }

    /// These settings with a run's own in place of the daemon's (see ``runSettings``). The daemon's settings of
    /// itself (its socket, log, limits and idle time) stay, and so do those its command line set (`flags`), since a
    /// flag wins over every other source.
    package func applying(_ run: RunSettings, keeping flags: Flags = Flags()) -> Configuration {
        var result = self
        if flags.interpreter == nil {
            result.interpreter = run.interpreter
            result.interpreterOrigin = run.interpreterOrigin
        }
        if flags.preload == nil { result.preload = run.preload }
        result.preloadTimeLimit = run.preloadTimeLimit
        result.zygoteStartTimeout = run.zygoteStartTimeout
        result.hashSeedRuns = run.hashSeedRuns
        result.hashSeedLifetime = run.hashSeedLifetime
        result.file = run.file
        result.fileVersion = run.fileVersion
        return result
    }

    /// What identifies a version of a file (inode, size, modification time), or nil when there is none.
    package static func version(ofFile path: String) -> String? {
        guard let info = FileSystem.status(path) else { return nil }
        let modified = FileSystem.modificationTime(info)
        return "\(info.st_ino) \(info.st_size) \(modified.tv_sec).\(modified.tv_nsec)"
    }
}
