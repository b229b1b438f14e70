import Foundation
import Jinn
import JinnWire
import Testing

/// The channel's message kinds are defined once per side, `ChannelMessageKind` in Swift and `jinn/_protocol.py`
/// in Python; these tests fail when the two lists differ.
struct ChannelProtocolTests {
    /// The lists of `_protocol.py`, read by the real interpreter from the sources.
    static func pythonLists() async throws -> [String: [String]] {
        let python = try await PythonInterpreter.system()
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "Sources/Jinn/Python/jinn/_protocol.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python.executable)
        process.arguments = ["-I", "-c", """
            import json, runpy, sys
            names = runpy.run_path(sys.argv[1])
            json.dump({key: list(names[key]) for key in ("SENT_BY_SWIFT", "SENT_BY_PYTHON", "ZYGOTE_EVENTS")},
                      sys.stdout)
            """, source.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try JSONDecoder().decode([String: [String]].self, from: data)
    }

    @Test func bothSidesListTheSameKinds() async throws {
        let lists = try await Self.pythonLists()
        #expect(lists["SENT_BY_SWIFT"] == ChannelMessageKind.sentBySwift.map(\.rawValue))
        #expect(lists["SENT_BY_PYTHON"] == ChannelMessageKind.sentByPython.map(\.rawValue))
        #expect(lists["ZYGOTE_EVENTS"] == ZygoteEventKind.allCases.map(\.rawValue))
    }

    @Test func everyKindHasASender() {
        let sent = Set(ChannelMessageKind.sentBySwift + ChannelMessageKind.sentByPython)
        #expect(sent == Set(ChannelMessageKind.allCases))
    }

    @Test func theArchitectureMapNamesEveryMessageKind() throws {
        let map = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appending(path: "ARCHITECTURE.md"), encoding: .utf8)
        let daemonReplies: [DaemonMessage] = [
            .started(runID: "", pid: 0), .exited(0), .signaled(0), .error(code: "", message: ""),
            .versionMismatch(identity: "", pid: 0), .reply(.none),
        ]
        let kinds = ChannelMessageKind.allCases.map(\.rawValue) + ZygoteEventKind.allCases.map(\.rawValue)
            + ClientRequest.Kind.allCases.map(\.rawValue) + daemonReplies.compactMap { $0.value[0]?.stringValue }
        for kind in kinds {
            #expect(map.contains("`\(kind)`"), "ARCHITECTURE.md does not name the message kind `\(kind)`")
        }
    }
}
