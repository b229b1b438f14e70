/// Descriptors owned together, such as the child's ends of the pipes made for a process or the descriptors that
/// arrived with a message: each is closed exactly once, when the value ends, unless they are taken first.
///
/// ```swift
/// var childEnds = OwnedDescriptors()
/// childEnds.append(pipe.writeEnd)
/// try spawn(mapping: childEnds.rawValues)
/// // every child end is closed here, whether the spawn threw or not
/// ```
package struct OwnedDescriptors: ~Copyable, Sendable {
    /// The descriptors in the order they were added, for calls that use them without taking them.
    package private(set) var rawValues: [Int32]

    /// No descriptors.
    package init() {
        rawValues = []
    }

    /// Takes ownership of open descriptors.
    package init(taking rawValues: [Int32]) {
        precondition(rawValues.allSatisfy { $0 >= 0 }, "owned descriptors must be open")
        self.rawValues = rawValues
    }

    deinit {
        for fd in rawValues { closeDescriptor(fd) }
    }

    /// How many descriptors there are.
    package var count: Int { rawValues.count }

    /// Whether there are none.
    package var isEmpty: Bool { rawValues.isEmpty }

    /// Adds a descriptor, which is closed with the others from now on.
    package mutating func append(_ descriptor: consuming OwnedDescriptor) {
        rawValues.append(descriptor.release())
    }

    /// Hands every descriptor on without closing it: the caller closes them (or gives them to code that does).
    package mutating func releaseAll() -> [Int32] {
        defer { rawValues = [] }
        return rawValues
    }

    /// Closes every descriptor now.
    package mutating func closeAll() {
        for fd in releaseAll() { closeDescriptor(fd) }
    }
}
