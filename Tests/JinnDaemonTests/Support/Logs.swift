import Logging
import Synchronization

/// The lines a logger wrote, for tests that check what the daemon reports.
final class LogRecord: Sendable {
    private let lines = Mutex<[String]>([])

    /// A logger that writes every level here.
    var logger: Logger {
        Logger(label: "jinn.daemon.test") { _ in RecordingLogHandler(record: self) }
    }

    /// The lines so far, as `level: message`.
    var all: [String] { lines.withLock { $0 } }

    /// Whether a line contains `text`.
    func contains(_ text: String) -> Bool {
        all.contains { $0.contains(text) }
    }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }
}

private struct RecordingLogHandler: LogHandler {
    let record: LogRecord
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        record.append("\(event.level): \(event.message)")
    }
}
