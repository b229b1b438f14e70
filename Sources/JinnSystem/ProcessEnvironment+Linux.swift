#if os(Linux)
import Glibc

extension ProcessEnvironment {
    /// The C array of `NAME=value` strings (`environ`), NULL-terminated, as `execve` takes it; valid until the
    /// environment next changes.
    package static var unsafeCArray: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> { environ }
}
#endif
