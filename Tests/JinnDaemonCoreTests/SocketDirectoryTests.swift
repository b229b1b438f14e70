import Foundation
@testable import JinnDaemonCore
import Testing

struct SocketDirectoryTests {
    private func scratch() -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "jinn-sockdir-\(UUID().uuidString)").path
        return path
    }

    @Test func createsAPrivateDirectoryWithItsParents() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = try SocketDirectory(path: root + "/nested/jinn")
        var info = stat()
        #expect(stat(directory.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        #expect(info.st_uid == getuid())
        #expect(directory.socketPath == root + "/nested/jinn/daemon.sock")
    }

    @Test func refusesADirectoryOthersCanEnter() throws {
        let path = scratch()
        defer { try? FileManager.default.removeItem(atPath: path) }
        mkdir(path, 0o755)
        chmod(path, 0o755)
        #expect {
            try SocketDirectory(path: path)
        } throws: { "\($0)".contains("open to other users (mode 755)") }
    }

    @Test func refusesASymbolicLink() throws {
        let target = scratch(), link = scratch()
        defer {
            try? FileManager.default.removeItem(atPath: target)
            try? FileManager.default.removeItem(atPath: link)
        }
        mkdir(target, 0o700)
        symlink(target, link)
        #expect { try SocketDirectory(path: link) } throws: { "\($0)".contains("is not a directory") }
    }

    @Test func refusesADirectoryOfAnotherUser() throws {
        // Only root can give a directory away; everyone else checks the same path with their own uid.
        guard getuid() == 0 else { return }
        let path = scratch()
        defer { try? FileManager.default.removeItem(atPath: path) }
        mkdir(path, 0o700)
        chown(path, 65534, 65534)
        #expect { try SocketDirectory(path: path) } throws: { "\($0)".contains("belongs to uid 65534") }
    }
}
