#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Closes a descriptor held as a bare number; returns 0, or -1 with `errno` set. Once it returns the descriptor is
/// gone whatever it reports, so it is never retried (see ``retryingInterrupts(_:)``).
///
/// For descriptors that no ``OwnedDescriptor`` holds: those kept in C arrays, and those of a type that still holds
/// numbers.
@discardableResult
package func closeDescriptor(_ fd: Int32) -> Int32 {
    close(fd)
}
