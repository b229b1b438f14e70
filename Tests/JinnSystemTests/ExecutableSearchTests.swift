#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JinnSystem
import Testing

/// The one `PATH` search, by the shell's rules.
struct ExecutableSearchTests {
    /// A fresh directory with `bin*` subdirectories, removed by ``remove()``.
    private struct Tree {
        let root: String

        init() throws {
            var template = Array("/tmp/jinn-search-XXXXXX".utf8CString)
            let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
            root = try #require(made.map { String(cString: $0) })
        }

        /// Creates `path` (relative to the root) as a file with `mode`, or as a directory.
        func make(_ path: String, mode: mode_t = 0o755, directory: Bool = false) {
            let full = root + "/" + path
            var prefix = root
            for part in path.split(separator: "/").dropLast() {
                prefix += "/" + part
                mkdir(prefix, 0o755)
            }
            if directory {
                mkdir(full, mode)
            } else {
                let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, mode)
                close(fd)
                chmod(full, mode)
            }
        }

        func remove() {
            _ = system("rm -rf '\(root)'")
        }
    }

    @Test func theFirstExecutableFileWinsPassingOverDirectoriesAndFilesThatDoNotExecute() throws {
        let tree = try Tree()
        defer { tree.remove() }
        tree.make("a/python3", directory: true)
        tree.make("b/python3", mode: 0o644)
        tree.make("c/python3")
        tree.make("d/python3")
        let path = ["a", "b", "c", "d"].map { tree.root + "/" + $0 }.joined(separator: ":")
        #expect(ExecutableSearch.find("python3", in: path) == tree.root + "/c/python3")
        #expect(ExecutableSearch.find("python3", in: tree.root + "/a:" + tree.root + "/b") == nil)
    }

    @Test func everyDirectoryIsSearchedForANameBeforeTheNextName() throws {
        let tree = try Tree()
        defer { tree.remove() }
        tree.make("a/python")
        tree.make("b/python3")
        let path = tree.root + "/a:" + tree.root + "/b"
        #expect(ExecutableSearch.find(["python3", "python"], in: path) == tree.root + "/b/python3")
        #expect(ExecutableSearch.find(["python2", "python"], in: path) == tree.root + "/a/python")
    }

    @Test func anEmptyEntryIsTheCurrentDirectory() throws {
        let tree = try Tree()
        defer { tree.remove() }
        tree.make("here/tool")
        tree.make("later/tool")
        let later = tree.root + "/later"
        let here = tree.root + "/here"
        for path in [":" + later, later + "::" + later, "", "/nonexistent:"] {
            let expected = path.hasPrefix(later + ":") ? later + "/tool" : here + "/tool"
            #expect(ExecutableSearch.find("tool", in: path, workingDirectory: here) == expected, "\(path)")
        }
        #expect(ExecutableSearch.directories(in: "/a::/b:") == ["/a", ".", "/b", "."])
        #expect(ExecutableSearch.directories(in: "") == ["."])
        // Relative entries are taken from the working directory too.
        #expect(ExecutableSearch.find("tool", in: "later", workingDirectory: tree.root) == later + "/tool")
    }

    @Test func aNameWithASlashIsNotSearchedFor() throws {
        let tree = try Tree()
        defer { tree.remove() }
        tree.make("bin/tool")
        tree.make("sub/bin/tool")
        let bin = tree.root + "/bin"
        #expect(ExecutableSearch.find("bin/tool", in: bin, workingDirectory: tree.root + "/sub")
            == tree.root + "/sub/bin/tool")
        #expect(ExecutableSearch.find(bin + "/tool", in: "/nonexistent") == bin + "/tool")
        #expect(ExecutableSearch.find(bin + "/missing", in: bin) == nil)
        #expect(ExecutableSearch.find(bin, in: tree.root) == nil)  // a directory
    }

    @Test func theDefaultSearchPathIsTheOneTheDaemonUses() {
        #expect(ExecutableSearch.defaultSearchPath == "/usr/local/bin:/usr/bin:/bin")
        #expect(ExecutableSearch.isExecutableFile("/bin/sh"))
        #expect(!ExecutableSearch.isExecutableFile("/bin"))
    }
}
