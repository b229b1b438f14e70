import Foundation
import Testing
@testable import Jinn

@Suite("Named environments")
struct EnvironmentStoreTests {
    @Test("create, list, describe and remove named environments")
    func lifecycle() async throws {
        try await withTemporaryDirectory { directory in
            let store = EnvironmentStore(root: directory + "/envs")
            let python = try await EnvironmentFixture.python()
            #expect(store.names().isEmpty)
            let created = try await store.create("tools", from: python, options: EnvironmentFixture.options(.uv),
                                                 packages: InstallRequest(["six"]))
            #expect(created.environment.path == directory + "/envs/tools")
            #expect(store.names() == ["tools"])
            let description = try await store.environment(named: "tools").describe()
            #expect(description.interpreter.version == python.version)
            #expect(description.kind == .virtual)
            #expect(description.packages.map(\.name) == ["six"])
            let again = try await store.create("tools", from: python, options: EnvironmentFixture.options(.uv))
            #expect(again.reused)
            try await store.remove("tools")
            #expect(store.names().isEmpty)
            #expect(EnvironmentFixture.entries(directory + "/envs") == [".tools.jinn-lock"])
            let caught = await environmentError {
                try await store.remove("tools")
            }
            if case .notFound(let name, let root)? = caught {
                #expect(name == "tools" && root == directory + "/envs")
            } else {
                Issue.record("expected .notFound, got \(String(describing: caught))")
            }
        }
    }

    @Test("names that are paths or hidden are refused",
          arguments: ["", "../escape", "a/b", ".hidden", "-flag", "spaced name", "ünï"])
    func invalidNames(name: String) {
        #expect(throws: JinnError.self) { try EnvironmentStore.validate(name: name) }
    }

    @Test("valid names", arguments: ["tools", "py3.11", "my_env-2"])
    func validNames(name: String) throws {
        try EnvironmentStore.validate(name: name)
    }

    @Test("the default root follows JINN_ENVIRONMENTS_DIR, then XDG_DATA_HOME, then HOME")
    func defaultRoot() {
        #expect(JinnPaths.environmentsDirectory(environment: ["JINN_ENVIRONMENTS_DIR": "/e", "XDG_DATA_HOME": "/d"])
                == "/e")
        #expect(JinnPaths.environmentsDirectory(environment: ["XDG_DATA_HOME": "/d", "HOME": "/h"])
                == "/d/jinn/environments")
        #expect(JinnPaths.environmentsDirectory(environment: ["HOME": "/h"]) == "/h/.local/share/jinn/environments")
        #expect(JinnPaths.cacheDirectory(environment: ["JINN_CACHE_DIR": "/c"]) == "/c")
        #expect(JinnPaths.cacheDirectory(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/x/jinn")
        #expect(JinnPaths.cacheDirectory(environment: ["HOME": "/h"]) == "/h/.cache/jinn")
    }
}
