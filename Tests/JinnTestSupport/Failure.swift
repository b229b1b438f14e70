// Swift Testing is on the module path only when tests are built; a plain `swift build` builds this target too.
#if canImport(Testing)
import Jinn
import Testing

/// The error `body` throws; records an issue when it throws none.
public func failure(_ body: () async throws(JinnError) -> Void, sourceLocation: SourceLocation = #_sourceLocation)
    async -> JinnError?
{
    do throws(JinnError) {
        try await body()
    } catch {
        return error
    }
    Issue.record("expected an error, but none was thrown", sourceLocation: sourceLocation)
    return nil
}
#endif
