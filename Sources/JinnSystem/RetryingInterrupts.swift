#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Calls `call` again for as long as it fails with `EINTR`, and returns its first other result.
///
/// `call` is a system call that returns -1 and sets `errno` when it fails; on any other failure `errno` is left as
/// the call set it, so the caller reads it next. A signal that interrupts a blocking call is not a failure of the
/// call: every blocking call outside the daemon goes through here, so none of them ends early because a signal
/// handler ran.
///
/// ```swift
/// let count = retryingInterrupts { read(fd, buffer.baseAddress, buffer.count) }
/// if count < 0 { throw Errno.current }
/// ```
///
/// Not for `close`: Linux has closed the descriptor even when `close` reports `EINTR`, and a second `close` could
/// close a descriptor that another thread has just opened.
@inlinable
package func retryingInterrupts<Result: SignedInteger>(_ call: () -> Result) -> Result {
    while true {
        let result = call()
        if result != -1 || errno != EINTR { return result }
    }
}
