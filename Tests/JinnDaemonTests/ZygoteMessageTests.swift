import Jinn
@testable import JinnDaemon
import JinnWire
import Testing

struct ZygoteMessageTests {
    @Test func readsEachKindTheZygoteSends() throws {
        #expect(try ZygoteMessage(.tuple(["started", "00ab", 4242, 0.0])) == .started(runID: "00ab", pid: 4242))
        #expect(try ZygoteMessage(.tuple(["started", "00ab", 4242, 0.012])) == .started(runID: "00ab", pid: 4242, delay: 0.012))
        #expect(try ZygoteMessage(.tuple(["exit", "00ab", "exited", 3])) == .ended(runID: "00ab", .exited(3)))
        #expect(try ZygoteMessage(.tuple(["exit", "00ab", "signaled", 9])) == .ended(runID: "00ab", .signaled(9)))
        #expect(try ZygoteMessage(.tuple(["failed", "00ab", "the forked child is gone"]))
                == .failed(runID: "00ab", reason: "the forked child is gone"))
        #expect(try ZygoteMessage(.tuple(["ready", .dict([])])) == .ready(ZygoteFacts()))
    }

    @Test func readyCarriesWhatWasPreloadedWhatFailedAndWhatToWatch() throws {
        let value: PythonValue = .tuple(["ready", .dict([
            .init("pid", 812),
            .init("executable", "/usr/bin/python3.12"),
            .init("preloaded", ["json", "decimal"]),
            .init("failed", .list([.tuple(["numpy", "ModuleNotFoundError: No module named 'numpy'"])])),
            .init("watch", .list([
                .tuple(["/usr/lib/python3.12/json/__init__.py", 1_700_000_000_123_456_789, 14017, 77]),
                .tuple(["/home/ada/.local/lib/python3.12/site-packages", 0, -1, 0]),
            ])),
        ])])
        guard case .ready(let facts) = try ZygoteMessage(value) else {
            Issue.record("not a ready message")
            return
        }
        #expect(facts.pid == 812)
        #expect(facts.preloaded == ["json", "decimal"])
        #expect(facts.failures == [.init(module: "numpy", error: "ModuleNotFoundError: No module named 'numpy'")])
        #expect(facts.watched == [
            WatchedFile(path: "/usr/lib/python3.12/json/__init__.py", modificationTime: 1_700_000_000_123_456_789,
                        size: 14017, inode: 77),
            WatchedFile(path: "/home/ada/.local/lib/python3.12/site-packages", modificationTime: 0, size: -1, inode: 0),
        ])
    }

    @Test func readyWithMissingOrMalformedFactsIsStillReady() throws {
        #expect(try ZygoteMessage(.tuple(["ready"])) == .ready(ZygoteFacts()))
        let odd = try ZygoteMessage(.tuple(["ready", .dict([.init("preloaded", 3),
                                                             .init("watch", .list([.tuple(["x"])]))])]))
        #expect(odd == .ready(ZygoteFacts()))
    }

    @Test(arguments: [
        ZygoteMessage.started(runID: "1", pid: 7),
        .ended(runID: "2", .exited(0)),
        .ended(runID: "3", .signaled(15)),
        .failed(runID: "4", reason: "why"),
        .ready(ZygoteFacts(pid: 5, preloaded: ["json"], failures: [.init(module: "x", error: "ImportError: x")],
                           watched: [WatchedFile(path: "/p", modificationTime: 1, size: 2, inode: 3)])),
    ])
    func aMessageReadsBackAsItself(message: ZygoteMessage) throws {
        #expect(try ZygoteMessage(message.value) == message)
    }

    @Test func anEndWhoseStatusCannotBeReadStillEndsItsRun() throws {
        for value: PythonValue in [.tuple(["exit", "77", "vanished", 1]), .tuple(["exit", "77"]),
                                   .tuple(["exit", "77", "exited", "three"])] {
            guard case .failed(let id, let reason) = try ZygoteMessage(value) else {
                Issue.record("\(value) is not a failed run")
                continue
            }
            #expect(id == "77")
            #expect(reason.contains("unreadable end"))
        }
    }

    @Test(arguments: [
        (PythonValue.list(["started", "1", 2]), "must be a tuple"),
        (.tuple([]), "must be a tuple"),
        (.tuple([1, 2]), "must be a tuple"),
        (.tuple(["started", "1"]), "'started'"),
        (.tuple(["started", 1, 2]), "'started'"),
        (.tuple(["started", "1", .int(Int(Int32.max) + 1), 0.0]), "'started'"),
        (.tuple(["started", "1", 2]), "'started'"),
        (.tuple(["started", "1", 2, -1.0]), "'started'"),
        (.tuple(["exit"]), "'exit'"),
        (.tuple(["failed", .none]), "'failed'"),
        (.tuple(["hello", "there"]), "unknown zygote message 'hello'"),
    ])
    func whatIsNotAZygoteMessageIsRefusedByName(value: PythonValue, expected: String) {
        #expect {
            try ZygoteMessage(value)
        } throws: { error in
            (error as? WireError)?.message.contains(expected) == true
        }
    }
}
