import JinnWire

/// The functions of `jinn._objects` that Swift calls, by their dotted names.
enum ObjectOperation: String {
    case importModule = "jinn._objects.import_module"
    case lookup = "jinn._objects.lookup"
    case evaluate = "jinn._objects.evaluate"
    case get = "jinn._objects.get"
    case call = "jinn._objects.call"
    case hold = "jinn._objects.hold"
    case setAttribute = "jinn._objects.set_attribute"
    case deleteAttribute = "jinn._objects.delete_attribute"
    case setItem = "jinn._objects.set_item"
    case deleteItem = "jinn._objects.delete_item"
    case operate = "jinn._objects.operate"
    case test = "jinn._objects.test"
    case iterate = "jinn._objects.iterate"
    case nextItems = "jinn._objects.next_items"
    case enter = "jinn._objects.enter"
    case leave = "jinn._objects.leave"
    case read = "jinn._objects.read"
}

extension PythonProcess {
    /// Calls a function of `jinn._objects` with arguments already in wire form, as an ordinary call (timeouts and
    /// cancellation included), noting it as a call whose reply may carry handles.
    func performObjectOperation(_ function: ObjectOperation, _ arguments: [PythonValue], timeout: Duration?,
                                operation: @autoclosure () -> String) async throws(JinnError) -> PythonValue
    {
        let objects = self.objects
        let channel = self.channel
        return try await invoke(.string(function.rawValue), arguments: arguments, keywords: [], timeout: timeout,
                                operation: operation(), identified: { id in objects.track(id, on: channel) })
    }
}
