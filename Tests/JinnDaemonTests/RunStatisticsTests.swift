@testable import JinnDaemon
import Testing

struct RunStatisticsTests {
    @Test func beforeAnyRunThereIsNoLatency() {
        let statistics = RunStatistics()
        #expect(statistics.latency(percentile: 0.5) == nil)
        #expect(statistics.served == 0)
    }

    @Test func percentilesComeFromTheRecordedStarts() {
        let statistics = RunStatistics()
        for milliseconds in (1...100).reversed() { statistics.recordStart(latency: Double(milliseconds) / 1000) }
        #expect(statistics.latency(percentile: 0) == 0.001)
        #expect(statistics.latency(percentile: 0.5) == 0.051)
        #expect(statistics.latency(percentile: 0.9) == 0.090)
        #expect(statistics.latency(percentile: 1) == 0.100)
    }

    @Test func onlyTheLastThousandStartsCount() {
        let statistics = RunStatistics()
        for _ in 0..<1000 { statistics.recordStart(latency: 9) }
        for _ in 0..<1000 { statistics.recordStart(latency: 1) }
        #expect(statistics.latency(percentile: 1) == 1)
    }

    @Test func servedCountsTheRunsThatEnded() {
        let statistics = RunStatistics()
        statistics.recordStart(latency: 0.002)
        #expect(statistics.served == 0)
        for _ in 0..<3 { statistics.recordEnd() }
        #expect(statistics.served == 3)
    }
}
