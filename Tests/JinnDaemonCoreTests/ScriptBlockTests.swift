import JinnDaemonCore
import Testing

/// PEP 723 blocks, found as the specification's reference expression finds them.
struct ScriptBlockTests {
    private func find(_ text: String) throws(ScriptBlock.Problem) -> String? {
        try ScriptBlock.find(in: Array(text.utf8)).map { String(decoding: $0.content, as: UTF8.self) }
    }

    @Test func theBlocksContentWithoutItsCommentMarks() throws {
        let source = "#!/usr/bin/env jinn\n# /// script\n# dependencies = [\n#   \"six\",\n# ]\n#\n# ///\nimport six\n"
        #expect(try find(source) == "dependencies = [\n  \"six\",\n]\n\n")
        #expect(try ScriptBlock.find(in: Array(source.utf8))?.openingLine == 2)
        // The closing line may end the file; lines may end in CRLF.
        #expect(try find("# /// script\n# a = 1\n# ///") == "a = 1\n")
        #expect(try find("# /// script\r\n# a = 1\r\n# ///\r\n") == "a = 1\n")
    }

    @Test func theLastClosingLineOfTheCommentRunCloses() throws {
        // The expression is greedy: a `# ///` inside the run of comments does not end the block.
        #expect(try find("# /// script\n# a = 1\n# ///\n# b = 2\n# ///\nx = 1\n") == "a = 1\n///\nb = 2\n")
    }

    @Test func noBlockAndOtherBlocks() throws {
        #expect(try find("import six\n") == nil)
        #expect(try find("#/// script\n# a = 1\n# ///\n") == nil)  // not the opening line's form
        #expect(try find("# /// pyproject\n# a = 1\n# ///\n") == nil)
        #expect(try find("# /// pyproject\n# a = 1\n# ///\n\n# /// script\n# b = 2\n# ///\n") == "b = 2\n")
        #expect(!ScriptBlock.mayHoldBlock(Array("import six\nprint('# /// script')\n".utf8)))
        #expect(ScriptBlock.mayHoldBlock(Array("x = 1\n# /// script\n".utf8)))
    }

    @Test func malformedBlocksNameTheirLine() {
        #expect(throws: ScriptBlock.Problem(line: 5, message: "a second `# /// script` block; a script has at most one")) {
            try find("# /// script\n# a = 1\n# ///\nx = 1\n# /// script\n# b = 2\n# ///\n").map { _ in () }
        }
        do {
            _ = try find("x = 1\n# /// script\n# a = 1\n\n# ///\n")
            Issue.record("accepted a block cut by an empty line")
        } catch {
            #expect(error.line == 2 && error.message.contains("no closing `# ///`"))
        }
    }
}
