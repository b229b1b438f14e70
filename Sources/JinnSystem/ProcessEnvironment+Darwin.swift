#if canImport(Darwin)
import Darwin

extension ProcessEnvironment {
    /// The C array of `NAME=value` strings, NULL-terminated, as `execve` takes it; valid until the environment next
    /// changes. (Darwin does not export `environ` itself to Swift.)
    package static var unsafeCArray: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> { _NSGetEnviron().pointee! }
}
#endif
