import Foundation

/// Rewrites the path of a Python environment that was built in one directory and is moved to another.
///
/// An environment records its own path in a few text files: the activation scripts, the `#!` line of every
/// console script, `pyvenv.cfg` (the `command` line) and `.pth` files. The interpreter itself finds its
/// environment relative to its executable, and compiled bytecode takes the path of its source at import time,
/// so those need nothing.
enum EnvironmentRelocation {
    static func rewrite(in directory: String, from old: String, to new: String) throws(JinnError) {
        let fileManager = FileManager.default
        var files = [directory + "/pyvenv.cfg"]
        let bin = directory + "/bin"
        files += ((try? fileManager.contentsOfDirectory(atPath: bin)) ?? []).map { bin + "/" + $0 }
        for library in ["lib", "lib64"] {
            let libraryPath = directory + "/" + library
            for version in (try? fileManager.contentsOfDirectory(atPath: libraryPath)) ?? [] {
                let sitePackages = libraryPath + "/" + version + "/site-packages"
                files += ((try? fileManager.contentsOfDirectory(atPath: sitePackages)) ?? [])
                    .filter { $0.hasSuffix(".pth") }.map { sitePackages + "/" + $0 }
            }
        }
        let oldBytes = Array(old.utf8)
        let newBytes = Array(new.utf8)
        for file in Set(files) {
            // Links (the interpreter) and executables that are not text are left alone.
            guard !StagedDirectory.isSymbolicLink(file), let data = fileManager.contents(atPath: file),
                data.count < 4 << 20, !data.prefix(8192).contains(0)
            else { continue }
            let bytes = [UInt8](data)
            let replaced = replacing(oldBytes, with: newBytes, in: bytes)
            guard replaced != bytes else { continue }
            var info = stat()
            stat(file, &info)
            guard fileManager.createFile(atPath: file, contents: Data(replaced)) else {
                throw .environment(.fileSystem(operation: "rewriting", path: file, reason: "the file could not be written"))
            }
            chmod(file, info.st_mode & 0o7777)
        }
    }

    static func replacing(_ old: [UInt8], with new: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard !old.isEmpty, bytes.count >= old.count else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if index + old.count <= bytes.count, bytes[index] == old[0], Array(bytes[index..<index + old.count]) == old {
                result += new
                index += old.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }
}
