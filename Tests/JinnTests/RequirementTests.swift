import Foundation
import Testing
@testable import Jinn

/// PEP 508 requirements, PEP 440 versions and specifiers, and the checks a lock's fields get.
struct RequirementTests {
    @Test("requirements are read by PEP 508's grammar and written in a normal form", arguments: [
        ("six", "six"),
        ("Six >= 1.16 ; python_version>'3'", #"six>=1.16; python_version > "3""#),
        ("requests[socks,Security] (>=2.31, <3)", "requests[security,socks]>=2.31,<3"),
        ("tool @ https://example.org/tool-1.0.whl", "tool @ https://example.org/tool-1.0.whl"),
        (#"tool@file:///src/tool.whl ; os_name == "posix""#, #"tool @ file:///src/tool.whl ; os_name == "posix""#),
        (#"a; (python_version < "3.10" or os.name=='nt') and extra == "x""#,
         #"a; (python_version < "3.10" or os_name == "nt") and extra == "x""#),
        ("zope.interface~=5.4", "zope-interface~=5.4"),
        (#"b; sys_platform not in "win32 cygwin""#, #"b; sys_platform not in "win32 cygwin""#),
    ])
    func requirements(text: String, normal: String) throws {
        #expect(try PackageRequirement(text).description == normal)
    }

    @Test("what is not a requirement is refused, saying why", arguments: [
        "", "-r /etc/passwd", "--index-url http://evil.example/simple", "six\n-r /path/secret",
        "six==1.17.0\n--index-url http://evil.example", "six==", "six>=1.x", "six[", "six @ not a url",
        "six @ https://x/six.whl; os_name == 'posix'", "six; os_name", "six; python_version >= '3", "six; bogus == '1'",
        ".hidden", "six~=1", "six (>=1", "six>=1.*",
    ])
    func invalidRequirements(text: String) {
        do {
            let parsed = try PackageRequirement(text)
            Issue.record("accepted \(text.debugDescription) as \(parsed)")
        } catch {
            guard case .environment(.invalidRequirement(let quoted, let reason)) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(quoted == text)
            #expect(!reason.isEmpty)
            #expect("\(error)".contains("PEP 508"))
        }
    }

    @Test("versions order as PEP 440 orders them")
    func versionOrder() throws {
        let ordered = ["1.0.dev1", "1.0a1", "1.0a2.dev1", "1.0b1", "1.0rc1", "1.0", "1.0.post1", "1.1", "2!0.1"]
        let versions = try ordered.map { text throws(JinnError) in try PackageVersion(text) }
        #expect(versions == versions.sorted())
        #expect(versions.shuffled().sorted().map(\.description) == ordered)
        #expect(try PackageVersion("1.0") == PackageVersion("1.0.0"))
        #expect(try PackageVersion("V1.0-Alpha.1").description == "1.0a1")
        #expect(try PackageVersion("1.0-1").description == "1.0.post1")
        for text in ["", "1.17.0\n--index-url http://x", " 1.0", "1.0 ", "one", "1..0", "1.0+", "1.0+a b", "-1"] {
            #expect(!PackageVersion.isValid(text), "\(text.debugDescription)")
        }
    }

    @Test("specifiers match versions as PEP 440 says", arguments: [
        (">=3.10", "3.11.7", true), (">=3.10", "3.9.18", false), ("<3.12,>=3.8", "3.11.7", true),
        ("==3.11.*", "3.11.7", true), ("==3.11.*", "3.12.0", false), ("!=3.11.*", "3.11.0", false),
        ("~=3.9", "3.13.1", true), ("~=3.9.2", "3.10.0", false), ("~=3.9.2", "3.9.5", true),
        ("==3.11", "3.11.0", true), ("==3.11", "3.11.7", false), (">3.6", "3.6.15", true), (">=3.13", "3.13.0rc1", false),
    ])
    func specifiers(specifier: String, version: String, matches: Bool) throws {
        #expect(try VersionSpecifier(specifier).contains(PackageVersion(version)) == matches)
    }

    @Test("a lock whose fields are not data is refused before anything reaches an installer", arguments: [
        (#""name": "six", "version": "1.17.0\n--index-url http://evil.example/simple""#, "version"),
        (#""name": "six\n-r /path/secret", "version": "1.17.0""#, "package name"),
        (#""name": "-r", "version": "1.0""#, "package name"),
        (#""name": "six", "version": "1.17.0", "url": "file:///x.whl\n-r /etc/passwd""#, "url"),
        (#""name": "six", "version": "1.17.0", "hashes": ["sha256:00 --index-url http://x"]"#, "hash"),
        (#""name": "six", "version": "1.17.0", "hashes": ["md5:abc"]"#, "hash"),
    ])
    func craftedLocks(package: String, field: String) {
        let text = #"{"format": 1, "python": {"implementation": "cpython", "version": "3.11.7"},"#
            + #""platform": {"system": "linux", "machine": "x86_64"}, "packages": [{"# + package + "}]}"
        do {
            _ = try LockFile(data: Data(text.utf8), path: "crafted.lock")
            Issue.record("accepted \(package)")
        } catch {
            #expect("\(error)".contains("crafted.lock") && "\(error)".contains(field), "\(error)")
        }
    }

    @Test("a lock made in code is checked when it is restored")
    func lockMadeInCode() async throws {
        let lock = LockFile(python: .init(implementation: "cpython", version: "3.11.7"),
                            platform: .init(system: "linux", machine: "x86_64"), installer: nil,
                            packages: [.init(name: "six", version: "1.17.0\n-r /etc/shadow")])
        try await withTemporaryDirectory { directory in
            let error = await environmentError {
                _ = try await VirtualEnvironment.restore(lock, at: directory + "/env", from: EnvironmentFixture.python())
            }
            guard case .invalidLockFile(_, let reason)? = error else {
                Issue.record("expected .invalidLockFile, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("version"))
            #expect(EnvironmentFixture.entries(directory).isEmpty)
        }
    }
}
