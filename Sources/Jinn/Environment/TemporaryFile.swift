import Foundation

/// A file in the temporary directory that its creator removes.
struct TemporaryFile {
    let path: String

    init(contents: String, suffix: String) throws(JinnError) {
        let directory = NSTemporaryDirectory()
        path = (directory.hasSuffix("/") ? directory : directory + "/")
            + "jinn-\(getpid())-\(UInt64.random(in: 0...UInt64.max))\(suffix)"
        guard FileManager.default.createFile(atPath: path, contents: Data(contents.utf8),
                                             attributes: [.posixPermissions: 0o600])
        else {
            throw .environment(.fileSystem(operation: "writing", path: path, reason: "the file could not be created"))
        }
    }

    func remove() {
        unlink(path)
    }
}
