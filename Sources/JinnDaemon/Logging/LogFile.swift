import CJinn
import JinnDaemonCore
import Foundation
import Logging

/// A log file as a `TextOutputStream`, so that swift-log's `StreamLogHandler` writes timestamped, levelled lines to
/// it. Every line is one `write` on a descriptor opened with `O_APPEND`, so lines from several threads never
/// interleave within a line.
package struct LogFile: TextOutputStream, Sendable {
    /// The descriptor; owned by the stream for the life of the process.
    package let fd: Int32

    /// Opens (creating, mode 0600) the file for appending.
    package init(path: String) throws(SocketError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SocketError(operation: "open the log file \(path)", errno: errno) }
        self.fd = fd
    }

    package mutating func write(_ string: String) {
        var text = string
        text.withUTF8 { _ = jinn_write_all(fd, $0.baseAddress, $0.count) }
    }

    /// A logger writing to this file at `level` and above.
    package func logger(label: String, level: Logger.Level) -> Logger {
        let stream = self
        var logger = Logger(label: label) { label in StreamLogHandler(label: label, stream: stream) }
        logger.logLevel = level
        return logger
    }
}
