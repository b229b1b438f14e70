import JinnWire
import Synchronization

/// Compiled modules kept in memory between starts of the same interpreter, so that only the first start in this
/// process pays for compiling the `jinn` package and the program's modules.
///
/// Python reports each module it compiles (as `marshal` bytes) together with its bytecode version ("magic
/// number"); the next start of an interpreter at the same executable path sends the compiled code along with
/// the source, and Python uses it only when the magic number still matches. Nothing is written to disk.
final class CodeCache: Sendable {
    static let shared = CodeCache()

    /// Past this many bytes of compiled code the cache starts over, so that a long-lived process that runs ever
    /// new programs does not grow without bound.
    static let capacity = 64 << 20

    private struct ModuleKey: Hashable {
        var path: String
        var source: String
    }

    private struct Interpreter {
        var magic: [UInt8]
        var code: [ModuleKey: [UInt8]] = [:]
    }

    private struct State {
        var interpreters: [String: Interpreter] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())

    /// The magic number and the compiled code known for an interpreter, by (virtual path, source).
    func lookup(executable: String) -> (magic: [UInt8], code: (String, String) -> [UInt8]?)? {
        guard let entry = state.withLock({ $0.interpreters[executable] }) else { return nil }
        return (entry.magic, { path, source in entry.code[ModuleKey(path: path, source: source)] })
    }

    /// Keeps what Python compiled. `sources` maps the virtual paths of the program's modules to their source.
    func store(executable: String, magic: [UInt8], compiled: [(path: String, code: [UInt8])],
               sources: [String: String])
    {
        state.withLock { state in
            var entry = state.interpreters[executable] ?? Interpreter(magic: magic)
            if entry.magic != magic {
                state.bytes -= entry.code.values.reduce(0) { $0 + $1.count }
                entry = Interpreter(magic: magic)
            }
            for (path, code) in compiled {
                guard let source = sources[path] else { continue }
                if state.bytes + code.count > Self.capacity {
                    state.interpreters.removeAll()
                    state.bytes = 0
                    entry.code.removeAll()
                }
                if let old = entry.code.updateValue(code, forKey: ModuleKey(path: path, source: source)) {
                    state.bytes -= old.count
                }
                state.bytes += code.count
            }
            state.interpreters[executable] = entry
        }
    }

    /// Empties the cache.
    func removeAll() {
        state.withLock { $0 = State() }
    }
}
