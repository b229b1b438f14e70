@testable import JinnDaemonCore
import Testing

struct TOMLDocumentTests {
    @Test func readsTheSubsetTheConfigurationUses() throws {
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

    @Test(arguments: [
        ("key = \"open\n", 1, "not closed"),
        ("a = 1\nb = nope\n", 2, "'nope' is not a TOML value"),
        ("a = 1\na = 2\n", 2, "defined twice"),
        ("a = 1 2\n", 1, "one key per line"),
        ("= 3\n", 1, "where a key was expected"),
        ("t = {x = 1}\n", 1, "inline tables"),
        ("[[servers]]\n", 1, "arrays of tables"),
        ("a = [1, 2\n", 2, "expected ',' or ']'"),
        ("s = \"bad \\q\"\n", 1, "not a valid escape"),
    ])
    func refusesWhatItDoesNotRead(text: String, line: Int, message: String) {
        #expect {
            try TOMLDocument(parsing: text)
        } throws: { error in
            guard let error = error as? TOMLDocument.SyntaxError else { return false }
            return error.line == line && error.message.contains(message)
        }
    }
}
