/// The standard output or standard error of a ``PythonProcess``: an asynchronous sequence of byte chunks in the
/// order the process wrote them.
///
/// Read it as chunks, as lines, or all at once:
///
/// ```swift
/// for await line in process.standardOutput.lines { print("python:", line) }
/// let everything = await process.standardError.collect()
/// ```
///
/// The stream ends when the process (and every child that inherited the pipe) has closed it. It is empty when the
/// output was inherited or discarded. A process whose output is piped but never read is slowed down once a few
/// megabytes wait unread, as with any pipe.
public struct ProcessOutput: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    let buffer: OutputBuffer

    /// Iterates over the chunks.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: OutputBuffer

        public mutating func next() async -> [UInt8]? {
            await buffer.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer)
    }

    /// All the bytes until the end of the stream.
    public func collect() async -> [UInt8] {
        var bytes: [UInt8] = []
        for await chunk in self { bytes += chunk }
        return bytes
    }

    /// All the output until the end of the stream, decoded as UTF-8 (invalid bytes become U+FFFD).
    public func text() async -> String {
        String(decoding: await collect(), as: UTF8.self)
    }

    /// The output as lines of UTF-8 text, without their line terminators (`\n` or `\r\n`).
    public var lines: Lines { Lines(buffer: buffer) }

    /// The lines of a ``ProcessOutput``.
    public struct Lines: AsyncSequence, Sendable {
        public typealias Element = String

        let buffer: OutputBuffer

        /// Iterates over the lines.
        public struct AsyncIterator: AsyncIteratorProtocol {
            let buffer: OutputBuffer
            var pending: [UInt8] = []
            var ended = false

            public mutating func next() async -> String? {
                while true {
                    if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        var line = pending[..<newline]
                        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                        let text = String(decoding: line, as: UTF8.self)
                        pending.removeSubrange(...newline)
                        return text
                    }
                    if ended {
                        guard !pending.isEmpty else { return nil }
                        defer { pending.removeAll() }
                        return String(decoding: pending, as: UTF8.self)
                    }
                    if let chunk = await buffer.next() {
                        pending += chunk
                    } else {
                        ended = true
                    }
                }
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(buffer: buffer)
        }
    }
}
