@testable import JinnDaemonCore
import Testing

struct TOMLDocumentTests {
    @Test func readsTheConfigurationsKeysAndValues() throws {
        let document = try TOMLDocument(parsing: """
            # a comment
            interpreter = "/usr/bin/python3"   # trailing comment
            literal = 'C:\\no\\escapes'
            preload = [
                "numpy",   # first
                'scipy.linalg',
            ]
            idle_timeout = 1_800
            ratio = 0.5
            debug = true
            escaped = "tab\\there \\u00e9"

            [daemon]
            "quoted key" = -3
            """)
        #expect(document.values["interpreter"] == .string("/usr/bin/python3"))
        #expect(document.values["literal"] == .string("C:\\no\\escapes"))
        #expect(document.values["preload"] == .array([.string("numpy"), .string("scipy.linalg")]))
        #expect(document.values["idle_timeout"] == .integer(1800))
        #expect(document.values["ratio"] == .float(0.5))
        #expect(document.values["debug"] == .boolean(true))
        #expect(document.values["escaped"] == .string("tab\there é"))
        #expect(document.values["daemon.quoted key"] == .integer(-3))
        #expect(document.lines["idle_timeout"] == 8)
    }

    /// What the script blocks of other tools hold (uv's sources, indexes and dates) must read as TOML reads it.
    @Test func readsTheTablesOtherToolsWriteInScriptBlocks() throws {
        let document = try TOMLDocument(parsing: """
            dependencies = ["torch"]
            [tool.uv]
            exclude-newer = 2024-01-01T00:00:00Z
            sources = { torch = { index = "pytorch" }, mine = { path = "../mine", editable = true } }
            [[tool.uv.index]]
            name = "pytorch"
            url = "https://download.pytorch.org/whl/cpu"
            [[tool.uv.index]]
            name = "internal"
            [tool.jinn]
            preload = ['torch']
            """)
        #expect(document.values["tool.uv.exclude-newer"] == .dateTime("2024-01-01T00:00:00Z"))
        #expect(document.values["tool.uv.sources.torch.index"] == .string("pytorch"))
        #expect(document.values["tool.uv.sources.mine.editable"] == .boolean(true))
        #expect(document.values["tool.uv.index"] == .array([
            .table(["name": .string("pytorch"), "url": .string("https://download.pytorch.org/whl/cpu")]),
            .table(["name": .string("internal")]),
        ]))
        #expect(document.lines["tool.uv.index"] == 5)
        #expect(document.values["tool.jinn.preload"] == .array([.string("torch")]))
    }

    @Test func readsEveryKindOfStringNumberAndDate() throws {
        let document = try TOMLDocument(parsing: #"""
            basic = """
            Roses are red
            Violets are blue"""
            folded = """\
                   The quick brown \
                   fox."""
            quotes = """Two quotes: "". Five at the end: """""
            literal = '''
            C:\Users\nobody
            '''
            apostrophes = ''''quoted,' she said.''''
            decimal = +99
            separated = 1_000
            hex = 0xDEAD_BEEF
            octal = 0o755
            binary = 0b1101
            exponent = 6.626e-34
            fraction = 224_617.445_991_228
            negative_infinity = -inf
            offset = 1979-05-27 07:32:00.999999-07:00
            date = 1979-05-27
            time = 00:32:00.5
            mixed = [1, "a", [2, 3], { x = 1 }]
            dotted.inner."a.b" = true
            """#)
        #expect(document.values["basic"] == .string("Roses are red\nViolets are blue"))
        #expect(document.values["folded"] == .string("The quick brown fox."))
        #expect(document.values["quotes"] == .string("Two quotes: \"\". Five at the end: \"\""))
        #expect(document.values["literal"] == .string("C:\\Users\\nobody\n"))
        #expect(document.values["apostrophes"] == .string("'quoted,' she said.'"))
        #expect(document.values["decimal"] == .integer(99))
        #expect(document.values["separated"] == .integer(1000))
        #expect(document.values["hex"] == .integer(0xDEAD_BEEF))
        #expect(document.values["octal"] == .integer(0o755))
        #expect(document.values["binary"] == .integer(13))
        #expect(document.values["exponent"] == .float(6.626e-34))
        #expect(document.values["fraction"] == .float(224_617.445_991_228))
        #expect(document.values["negative_infinity"] == .float(-.infinity))
        #expect(document.values["offset"] == .dateTime("1979-05-27 07:32:00.999999-07:00"))
        #expect(document.values["date"] == .dateTime("1979-05-27"))
        #expect(document.values["time"] == .dateTime("00:32:00.5"))
        #expect(document.values["mixed"] == .array([
            .integer(1), .string("a"), .array([.integer(2), .integer(3)]), .table(["x": .integer(1)]),
        ]))
        #expect(document.values["dotted.inner.a.b"] == .boolean(true))
    }

    @Test func arraysOfTablesHoldTheirSubtables() throws {
        let document = try TOMLDocument(parsing: """
            [[fruits]]
            name = "apple"
            [fruits.physical]
            color = "red"
            [[fruits]]
            name = "banana"
            """)
        #expect(document.values["fruits"] == .array([
            .table(["name": .string("apple"), "physical.color": .string("red")]),
            .table(["name": .string("banana")]),
        ]))
    }

    @Test(arguments: [
        ("key = \"open\n", 1, "not closed"),
        ("a = 1\nb = nope\n", 2, "'nope' is not a TOML value"),
        ("a = 1\na = 2\n", 2, "defined twice"),
        ("a = 1 2\n", 1, "one key per line"),
        ("= 3\n", 1, "where a key was expected"),
        ("a = [1, 2\n", 2, "expected ',' or ']'"),
        ("s = \"bad \\q\"\n", 1, "not a valid escape"),
        ("[a]\n[a]\n", 2, "the table 'a' is defined twice"),
        ("[fruit]\napple.color = \"red\"\n[fruit.apple]\n", 3, "the table 'fruit.apple' is defined twice"),
        ("[a.b]\nc = 1\n[a]\nb.d = 2\n", 4, "has a [header] of its own"),
        ("a = {x = 1}\na.y = 2\n", 2, "complete as written"),
        ("a = {x = 1,}\n", 1, "cannot end with a comma"),
        ("a = {x = 1\n, y = 2}\n", 1, "must fit on one line"),
        ("[[a]]\n[a]\n", 2, "name it as [[a]]"),
        ("a = 1\n[a]\n", 2, "the table 'a' is defined twice"),
        ("x = 01\n", 1, "'01' is not a TOML value"),
        ("x = 1__0\n", 1, "'1__0' is not a TOML value"),
        ("x = 5.\n", 1, "'5.' is not a TOML value"),
        ("x = 1979-13-01\n", 1, "'1979-13-01' is not a TOML value"),
        ("x = 9223372036854775808\n", 1, "does not fit in a 64-bit integer"),
        ("\n\nx = \"\"\"never closed\n", 3, "multi-line string is not closed"),
    ])
    func refusesWhatIsNotTOML(text: String, line: Int, message: String) {
        #expect {
            try TOMLDocument(parsing: text)
        } throws: { error in
            guard let error = error as? TOMLDocument.SyntaxError else { return false }
            return error.line == line && error.message.contains(message)
        }
    }
}
