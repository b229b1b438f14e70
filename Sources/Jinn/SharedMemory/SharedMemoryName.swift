/// The rules for names of segments and semaphores that other processes open.
enum SharedMemoryName {
    /// macOS allows 31 bytes with the leading slash.
    static let maximumLength = 30

    /// The system's form of `name` (with one leading `/`), after checking it; `name` is given without the slash,
    /// as Python's `multiprocessing.shared_memory` takes it.
    static func system(_ name: String) throws(JinnError) -> String {
        let bare = name.hasPrefix("/") ? String(name.dropFirst()) : name
        guard !bare.isEmpty else { throw .sharedMemory(.invalidName(name, reason: "it is empty")) }
        guard bare.utf8.count <= maximumLength else {
            throw .sharedMemory(.invalidName(name, reason: "it is longer than \(maximumLength) bytes, macOS's limit"))
        }
        let allowed = bare.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        guard allowed, bare != ".", bare != ".." else {
            throw .sharedMemory(.invalidName(name, reason: "use only letters, digits, '_', '-' and '.'"))
        }
        return "/" + bare
    }
}
