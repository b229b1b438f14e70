import JinnWire
import Synchronization

/// The functions of `jinn._objects` that Swift calls.
enum ObjectOperation: String, CaseIterable {
    case importModule = "import_module"
    case lookup, evaluate, get, call, hold
    case setAttribute = "set_attribute"
    case deleteAttribute = "delete_attribute"
    case setItem = "set_item"
    case deleteItem = "delete_item"
    case operate, test, iterate
    case nextItems = "next_items"
    case enter, leave, read
    /// Releases handles, then performs another operation: `released(handles, name, *arguments)`.
    case released
    /// Releases handles: `release(handles)`.
    case release

    /// The function's dotted name, made once.
    var target: PythonValue { Self.targets[self]! }

    private static let targets = Dictionary(uniqueKeysWithValues: allCases.map {
        ($0, PythonValue.string("jinn._objects." + $0.rawValue))
    })
}

/// Whether a call has left: `invoke` reports it once the call is sent.
private final class Departure: Sendable {
    let sent = Atomic<Bool>(false)
}

extension PythonProcess {
    /// Calls a function of `jinn._objects` with arguments already in wire form, as an ordinary call (timeouts and
    /// cancellation included), noting it as a call whose reply may carry handles.
    ///
    /// Handles waiting to be released go with the call, which releases them first: one message instead of two.
    /// A call that never left gives them back for the next one. (When `invoke` returns, its sending is over: the
    /// caller cannot resume before the code that sends has run, so `sent` is final then.)
    func performObjectOperation(_ function: ObjectOperation, _ arguments: [PythonValue], timeout: Duration?,
                                operation: @autoclosure () -> String) async throws(JinnError) -> PythonValue
    {
        let objects = self.objects
        let channel = self.channel
        let releases = objects.takeReleases()
        guard !releases.isEmpty else {
            return try await invoke(function.target, arguments: arguments, keywords: [], timeout: timeout,
                                    operation: operation(), identified: { id in objects.track(id, on: channel) })
        }
        let departure = Departure()
        do throws(JinnError) {
            return try await invoke(
                ObjectOperation.released.target,
                arguments: [.list(releases.map { .int($0) }), .string(function.rawValue)] + arguments, keywords: [],
                timeout: timeout, operation: operation(), started: { _ in departure.sent.store(true, ordering: .relaxed) },
                identified: { id in objects.track(id, on: channel) })
        } catch {
            if !departure.sent.load(ordering: .relaxed) { objects.release(releases) }
            throw error
        }
    }
}
