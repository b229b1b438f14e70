/// A file descriptor that this value alone owns: it is closed exactly once, when the value ends, unless its
/// ownership is handed on first.
///
/// A descriptor changes hands as an `OwnedDescriptor` (`consuming` parameters and results), so that who closes it
/// is stated by the types: the value cannot be copied, the compiler rejects a use after it was handed on, and a
/// value that goes out of scope closes its descriptor on every path, the throwing ones included.
///
/// ```swift
/// let pipe = try OwnedDescriptor.makePipe()
/// var childEnds = OwnedDescriptors()
/// childEnds.append(pipe.writeEnd)                         // taken: closed with the other child ends
/// let count = read(pipe.readEnd.rawValue, buffer, size)   // used, not taken
/// // the read end is closed here, where `pipe` ends
/// ```
package struct OwnedDescriptor: ~Copyable, Sendable {
    /// The descriptor, for calls that use it without taking it; valid while this value lives.
    package let rawValue: Int32

    /// Takes ownership of an open descriptor.
    package init(taking rawValue: Int32) {
        precondition(rawValue >= 0, "an owned descriptor must be open")
        self.rawValue = rawValue
    }

    deinit {
        closeDescriptor(rawValue)
    }

    /// Hands ownership on without closing: the caller closes the returned descriptor (or gives it to code that
    /// does).
    package consuming func release() -> Int32 {
        let rawValue = self.rawValue
        discard self
        return rawValue
    }

    /// Closes the descriptor now, reporting what `close` reported; the descriptor is closed in either case.
    package consuming func close() throws(Errno) {
        let rawValue = release()
        guard closeDescriptor(rawValue) == 0 else { throw Errno.current }
    }
}
