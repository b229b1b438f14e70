/// One handle to a Python object, as one reply brought it: the Python side keeps the object alive until this goes
/// away.
///
/// Every copy of a ``PythonObject`` made from the same reply shares one `ObjectHandle`; the last one to go
/// releases the handle's count (see ``ObjectTable``).
final class ObjectHandle: Sendable {
    /// The process the object lives in; a handle keeps it running.
    let process: PythonProcess
    /// The number the Python side gave the object.
    let id: Int
    /// The dotted name of the object's type when the reply came, such as `numpy.ndarray`.
    let typeName: String

    init(process: PythonProcess, id: Int, typeName: String) {
        self.process = process
        self.id = id
        self.typeName = typeName
    }

    deinit {
        process.objects.release(id)
    }
}
