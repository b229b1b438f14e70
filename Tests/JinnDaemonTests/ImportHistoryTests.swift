@testable import JinnDaemon
import JinnWire
import Testing

/// Learning preloads from runs' imports: 3 of the last 5 runs, bounded, never a module excluded.
struct ImportHistoryTests {
    @Test func aModuleImportedByThreeOfTheLastFiveRunsIsLearnedOnce() {
        var history = ImportHistory()
        history.record(["decimal", "json"])
        history.record(["decimal"])
        #expect(history.learnFrequent().isEmpty)
        history.record(["decimal", "csv"])
        #expect(history.learnFrequent() == ["decimal"])
        #expect(history.learned.first?.reason == "learned: imported by 3 of the last 3 runs")
        #expect(history.learnFrequent().isEmpty)
    }

    @Test func onlyTheLastFiveRunsCount() {
        var history = ImportHistory()
        for _ in 0..<2 { history.record(["json"]) }
        for _ in 0..<4 { history.record(["csv"]) }
        // json's first run fell out of the window.
        history.record(["json"])
        #expect(history.learnFrequent() == ["csv"])
        #expect(history.learned.first?.reason == "learned: imported by 4 of the last 5 runs")
    }

    @Test func excludedModulesAreNeverLearnedAndTheSetIsBounded() {
        var history = ImportHistory()
        let many = (0..<40).map { "module\($0)" }
        for _ in 0..<3 { history.record(many + ["refused"]) }
        let learned = history.learnFrequent(excluding: ["refused"])
        #expect(learned.count == ImportHistory.capacity && !learned.contains("refused"))
        history.forget(learned[0])
        #expect(history.learned.count == ImportHistory.capacity - 1)
    }

    @Test func theImportsMessageReadsAsItIsSent() throws {
        let message = ZygoteMessage.imports(runID: "r1", modules: ["decimal", "numpy"])
        #expect(try ZygoteMessage(message.value) == message)
        #expect(throws: WireError.self) { try ZygoteMessage(.tuple([.string("imports"), .string("r1")])) }
    }
}
