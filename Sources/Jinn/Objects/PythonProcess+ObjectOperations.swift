import JinnWire

extension PythonProcess {
    /// Calls `jinn._objects.<function>` with arguments already in wire form, as an ordinary call (timeouts and
    /// cancellation included), noting it as a call whose reply may carry handles.
    func performObjectOperation(_ function: String, _ arguments: [PythonValue], timeout: Duration?,
                                operation: @autoclosure () -> String) async throws(JinnError) -> PythonValue
    {
        let objects = self.objects
        let channel = self.channel
        return try await invoke(.string("jinn._objects." + function), arguments: arguments, keywords: [],
                                timeout: timeout, operation: operation(),
                                identified: { id in objects.track(id, on: channel) })
    }
}
