import JinnWire

/// What a zygote reports once it has preloaded (its `ready` message): what it imported, what it could not, and the
/// files whose change makes it stale.
package struct ZygoteFacts: Sendable, Equatable {
    /// A module the zygote could not import.
    package struct Failure: Sendable, Equatable {
        /// The module's name.
        package var module: String
        /// The exception, as `TypeName: message`.
        package var error: String

        /// A module that failed, with its exception.
        package init(module: String, error: String) {
            self.module = module
            self.error = error
        }
    }

    /// The zygote's own pid, as it states it.
    package var pid: Int32?
    /// The modules it imported.
    package var preloaded: [String]
    /// The modules it could not import.
    package var failures: [Failure]
    /// The modules it imported but that misbehaved while they did (wrote output, started a thread, took too long),
    /// with why, in ``Failure/error``.
    package var refusals: [Failure]
    /// The files whose change makes it stale.
    package var watched: [WatchedFile]

    /// Facts as given.
    package init(pid: Int32? = nil, preloaded: [String] = [], failures: [Failure] = [], refusals: [Failure] = [],
                 watched: [WatchedFile] = [])
    {
        self.pid = pid
        self.preloaded = preloaded
        self.failures = failures
        self.refusals = refusals
        self.watched = watched
    }

    /// Reads the facts dict of a `ready` message; fields that are missing or malformed are left empty, since a
    /// zygote that says it is ready serves runs whatever else it says.
    package init(_ value: PythonValue) {
        pid = value["pid"]?.intValue.map { Int32(truncatingIfNeeded: $0) }
        preloaded = value["preloaded"]?.elements?.compactMap(\.stringValue) ?? []
        func pairs(_ field: String) -> [Failure] {
            value[.string(field)]?.elements?.compactMap { item in
                guard let module = item[0]?.stringValue else { return nil }
                return Failure(module: module, error: item[1]?.stringValue ?? "")
            } ?? []
        }
        failures = pairs("failed")
        refusals = pairs("refused")
        watched = value["watch"]?.elements?.compactMap(WatchedFile.init) ?? []
    }

    /// The facts as the zygote sends them.
    package var value: PythonValue {
        var fields: [PythonValue.Item] = [
            .init("preloaded", .list(preloaded.map(PythonValue.string))),
            .init("failed", .list(failures.map { .tuple([.string($0.module), .string($0.error)]) })),
            .init("refused", .list(refusals.map { .tuple([.string($0.module), .string($0.error)]) })),
            .init("watch", .list(watched.map {
                .tuple([.string($0.path), .int($0.modificationTime), .int($0.size), .int($0.inode)])
            })),
        ]
        if let pid { fields.insert(.init("pid", .int(Int(pid))), at: 0) }
        return .dict(fields)
    }

    /// The first problem in the watched files (one that changed, appeared or disappeared), or nil.
    package func staleFile() -> String? {
        for file in watched {
            if let change = file.change() { return change }
        }
        return nil
    }
}
