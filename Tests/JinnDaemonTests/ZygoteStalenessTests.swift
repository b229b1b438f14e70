import Foundation
import Jinn
@testable import JinnDaemon
import Testing

/// When a zygote must serve no new runs: the staleness the pool checks before each run.
final class ZygoteStalenessTests {
    private let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "jinn-stale-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func file(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A launched zygote that reported itself ready, watching `paths` as they are now.
    private func readyZygote(watching paths: [String], settings: [String] = ["", ""]) throws -> ZygoteHarness {
        let harness = try ZygoteHarness.launched(settings: settings)
        harness.process.send(.ready(ZygoteFacts(pid: 1, preloaded: ["json"], watched: paths.map(WatchedFile.now))))
        return harness
    }

    @Test func aFreshZygoteIsNotStale() throws {
        let module = try file("module.py", "X = 1\n")
        let harness = try readyZygote(watching: [module, directory])
        #expect(harness.zygote.staleness(settings: ["", ""]) == nil)
    }

    @Test func aZygoteThatIsNotReadyYetIsJudgedByItsSettingsAlone() throws {
        let harness = try ZygoteHarness.launched()
        #expect(harness.zygote.staleness(settings: ["", ""]) == nil)
        #expect(harness.zygote.staleness(settings: ["/usr/bin/python3", ""]) == "the configuration changed")
    }

    @Test func changedSettingsMakeItStale() throws {
        let harness = try readyZygote(watching: [], settings: ["", "json"])
        #expect(harness.zygote.staleness(settings: ["", "json"]) == nil)
        #expect(harness.zygote.staleness(settings: ["", "json,numpy"]) == "the configuration changed")
        #expect(harness.zygote.staleness(settings: ["/opt/python3", "json"]) == "the configuration changed")
    }

    @Test func aRetiredZygoteIsStale() throws {
        let harness = try readyZygote(watching: [])
        harness.process.ignoreTermination()
        harness.zygote.retire(reason: "a test retired it")
        #expect(harness.zygote.staleness(settings: ["", ""]) == "it was retired")
    }

    @Test func anEndedZygoteIsStaleWhateverElseIsTrue() throws {
        let harness = try readyZygote(watching: [])
        harness.process.end(.signaled(SIGKILL))
        #expect(harness.zygote.staleness(settings: ["", ""]) == "it ended")
        #expect(harness.zygote.staleness(settings: ["other", ""]) == "it ended")
    }

    @Test func aWatchedFileThatChangesMakesItStale() throws {
        let module = try file("module.py", "X = 1\n")
        let harness = try readyZygote(watching: [module])
        // Another size as well as another time: the check must not depend on the clock's resolution.
        try "X = 2  # edited\n".write(toFile: module, atomically: false, encoding: .utf8)
        #expect(harness.zygote.staleness(settings: ["", ""]) == "\(module) changed")
    }

    @Test func aFileReplacedByAnotherOfTheSameSizeAndTimeMakesItStale() throws {
        let module = try file("module.py", "X = 1\n")
        let before = WatchedFile.now(module)
        let harness = try readyZygote(watching: [module])
        let replacement = try file("replacement.py", "X = 2\n")
        let time = timespec(tv_sec: before.modificationTime / 1_000_000_000,
                            tv_nsec: before.modificationTime % 1_000_000_000)
        #expect(utimensat(AT_FDCWD, replacement, [time, time], 0) == 0)
        #expect(rename(replacement, module) == 0)
        let after = WatchedFile.now(module)
        #expect(after.size == before.size && after.modificationTime == before.modificationTime)
        #expect(after.inode != before.inode)
        #expect(harness.zygote.staleness(settings: ["", ""]) == "\(module) changed")
    }

    @Test func aWatchedFileThatDisappearsMakesItStale() throws {
        let module = try file("module.py", "X = 1\n")
        let harness = try readyZygote(watching: [module])
        try FileManager.default.removeItem(atPath: module)
        #expect(harness.zygote.staleness(settings: ["", ""]) == "\(module) disappeared")
    }

    @Test func aFileThatWasAbsentMakesItStaleOnlyOnceItAppears() throws {
        let userSite = directory + "/site-packages"
        let harness = try readyZygote(watching: [userSite])
        #expect(WatchedFile.now(userSite).size == -1)
        #expect(harness.zygote.staleness(settings: ["", ""]) == nil)
        try FileManager.default.createDirectory(atPath: userSite, withIntermediateDirectories: false)
        #expect(harness.zygote.staleness(settings: ["", ""]) == "\(userSite) changed")
    }

    @Test func theFirstChangedFileIsNamed() throws {
        let first = try file("first.py", "A = 1\n")
        let second = try file("second.py", "B = 1\n")
        let harness = try readyZygote(watching: [first, second])
        try FileManager.default.removeItem(atPath: second)
        try "A = 22\n".write(toFile: first, atomically: false, encoding: .utf8)
        #expect(harness.zygote.staleness(settings: ["", ""]) == "\(first) changed")
    }

    @Test func aWatchedFileIsReadFromTheZygotesTuple() {
        #expect(WatchedFile(.tuple(["/p", 5, 6, 7])) == WatchedFile(path: "/p", modificationTime: 5, size: 6, inode: 7))
        #expect(WatchedFile(.tuple(["/p", 5, 6])) == nil)
        #expect(WatchedFile(.tuple([5, 5, 6, 7])) == nil)
        #expect(WatchedFile("/p") == nil)
    }
}
