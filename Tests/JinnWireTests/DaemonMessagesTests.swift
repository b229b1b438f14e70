import JinnWire
import Testing

struct DaemonMessagesTests {
    @Test func runRequestsRoundTrip() throws {
        let request = RunRequest(entry: .script(Array("t.py".utf8)), arguments: [Array("t.py".utf8), [0xff, 0x00]],
                                 workingDirectory: Array("/tmp".utf8), environment: [Array("A=1".utf8)], umask: 0o027)
        let message = ClientRequest(kind: .run, identity: "build", body: request.value)
        let decoded = try ClientRequest(try Marshal.decode(Marshal.encode(message.value)))
        #expect(decoded == message)
        #expect(try RunRequest(decoded.body) == request)
    }

    @Test func aRunRequestCarriesItsInterpreterLast() throws {
        let request = RunRequest(entry: .code(Array("pass".utf8)), arguments: [Array("-c".utf8)],
                                 workingDirectory: Array("/".utf8), environment: [], umask: 0o22,
                                 interpreter: Array("/envs/a/bin/python".utf8))
        guard case .dict(let items) = request.value else { Issue.record("not a dict"); return }
        #expect(items.last == .init("interpreter", .bytes(Array("/envs/a/bin/python".utf8))))
        #expect(try RunRequest(Marshal.decode(Marshal.encode(request.value))) == request)
        #expect(throws: WireError.self) {
            try RunRequest(.dict(items.dropLast() + [.init("interpreter", .string("/envs/a/bin/python"))]))
        }
    }

    @Test func aRunRequestCarriesPython3sOptionsOnlyWhenThereAreAny() throws {
        let options = RunOptions(interpreter: [Array("-O".utf8), Array("-W".utf8), Array("error".utf8)],
                                 commandLine: [Array("-OWerror".utf8), Array("-".utf8), [0xff]])
        let request = RunRequest(entry: .script(Array("-".utf8)), arguments: [Array("-".utf8)],
                                 workingDirectory: Array("/".utf8), environment: [], umask: 0o22, options: options)
        #expect(try RunRequest(Marshal.decode(Marshal.encode(request.value))) == request)
        #expect(request.value["options"] == options.value)
        var plain = request
        plain.options = nil
        #expect(plain.value["options"] == nil)
        #expect(try RunRequest(plain.value).options == nil)
        guard case .dict(let items) = request.value else { Issue.record("not a dict"); return }
        #expect(throws: WireError.self) {
            try RunRequest(.dict(items.dropLast() + [.init("options", .dict([.init("interpreter", .list([]))]))]))
        }
        #expect(throws: WireError.self) {
            try RunRequest(.dict(items.dropLast() + [.init("options", .dict([
                .init("interpreter", .list([.string("-O")])), .init("orig_argv", .list([])),
            ]))]))
        }
    }

    @Test func daemonMessagesRoundTrip() throws {
        let messages: [DaemonMessage] = [
            .started(runID: "ab", pid: 12), .exited(3), .signaled(15), .error(code: "zygote", message: "gone"),
            .versionMismatch(identity: "other", pid: 9), .reply(["runs": 3]), .ready, .note("not preloaded: x"),
        ]
        for message in messages {
            #expect(try DaemonMessage(Marshal.decode(Marshal.encode(message.value))) == message)
        }
    }

    @Test(arguments: [
        PythonValue.string("run"), .tuple(["run", 1, "id"]), .tuple(["launch", 1, "id", .none]),
        .tuple(["run", "1", "id", .none]), .tuple([3, 1, "id", .none]),
    ])
    func malformedRequestsAreRefused(value: PythonValue) {
        #expect(throws: WireError.self) { try ClientRequest(value) }
    }

    @Test func runRequestsNeedEveryField() {
        let complete = RunRequest(entry: .code(Array("pass".utf8)), arguments: [Array("-c".utf8)],
                                  workingDirectory: Array("/".utf8), environment: [], umask: 0o22).value
        guard case .dict(let items) = complete else { return }
        // Every field but the interpreter, which is optional.
        for index in items.indices where items[index].key != "interpreter" {
            var missing = items
            missing.remove(at: index)
            #expect(throws: WireError.self) { try RunRequest(.dict(missing)) }
        }
        #expect(throws: WireError.self) {
            try RunRequest(.dict(items.map { $0.key == "umask" ? .init("umask", 0o1000) : $0 }))
        }
        #expect(throws: WireError.self) {
            try RunRequest(.dict(items.filter { $0.key != "interpreter" } + [.init("interpreter", 3)]))
        }
    }

    @Test func aRunRequestMayNameItsInterpreter() throws {
        let request = RunRequest(entry: .script(Array("a.py".utf8)), arguments: [Array("a.py".utf8)],
                                 workingDirectory: Array("/".utf8), environment: [], umask: 0o22,
                                 interpreter: Array("/venv/bin/python".utf8))
        #expect(try RunRequest(Marshal.decode(Marshal.encode(request.value))) == request)
        guard case .dict(let items) = request.value else { return }
        #expect(items.last?.key == "interpreter")
        let withoutIt = try RunRequest(.dict(Array(items.dropLast())))
        #expect(withoutIt.interpreter == nil)
    }

    @Test func aRunRequestCarriesItsClientsSettings() throws {
        let settings = RunSettings(interpreter: "/venv/bin/python", interpreterOrigin: "'interpreter' in /a.toml",
                                   preload: ["numpy", "json"], preloadTimeLimit: 2.5, zygoteStartTimeout: 3,
                                   hashSeedRuns: 10, hashSeedLifetime: 20, file: "/a.toml", fileVersion: "7 12 3.4")
        let request = RunRequest(entry: .code(Array("pass".utf8)), arguments: [Array("-c".utf8)],
                                 workingDirectory: Array("/".utf8), environment: [], umask: 0o22, settings: settings)
        let decoded = try RunRequest(Marshal.decode(Marshal.encode(request.value)))
        #expect(decoded.settings == settings)
        #expect(try RunRequest(Marshal.decode(Marshal.encode(RunRequest(
            entry: .code([]), arguments: [Array("-c".utf8)], workingDirectory: Array("/".utf8), environment: [],
            umask: 0).value))).settings == nil)
        guard case .dict(var items) = settings.value else { return }
        items.removeAll { $0.key == "preload" }
        #expect(throws: WireError.self) { try RunSettings(.dict(items)) }
    }

    @Test func aRunRequestMayCarryTheClientsParent() throws {
        let request = RunRequest(entry: .code(Array("pass".utf8)), arguments: [Array("-c".utf8)],
                                 workingDirectory: Array("/".utf8), environment: [], umask: 0o22, parent: 4321)
        #expect(try RunRequest(Marshal.decode(Marshal.encode(request.value))) == request)
        #expect(request.value["parent"] == .int(4321))
        guard case .dict(let items) = request.value else { return }
        #expect(try RunRequest(.dict(items.filter { $0.key != "parent" })).parent == nil)
        for wrong: PythonValue in [0, -3, "12"] {
            #expect(throws: WireError.self) {
                try RunRequest(.dict(items.map { $0.key == "parent" ? .init("parent", wrong) : $0 }))
            }
        }
    }

    @Test func backReferencesAreRefusedWhereTheyAreNotTrusted() throws {
        // [b"x", <reference to b"x">]: a list whose second element refers back to the first.
        let bytes: [UInt8] = [0x5B, 2, 0, 0, 0, 0x73 | 0x80, 1, 0, 0, 0, 0x78, 0x72, 0, 0, 0, 0]
        #expect(try Marshal.decode(bytes) == .list([.bytes([0x78]), .bytes([0x78])]))
        #expect(throws: WireError.self) { try Marshal.decodeWithoutReferences(bytes) }
    }
}
