// Writes a Swift file that holds Python source files as raw string literals:
//   JinnEmbedTool ROOT OUTPUT FILE...
// Each file is keyed by its path relative to ROOT. String literals compile far faster than byte arrays.
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: JinnEmbedTool ROOT OUTPUT FILE...\n".utf8))
    exit(2)
}
let root = URL(fileURLWithPath: arguments[1]).standardizedFileURL.path
var swift = """
    // Generated at build time from the Python package; do not edit.
    enum EmbeddedPython {
        /// Python source files keyed by their path below the package's `Python/` folder.
        static let files: [String: String] = [

    """
for path in arguments.dropFirst(3).sorted() {
    let source = try String(contentsOfFile: path, encoding: .utf8)
    var relative = URL(fileURLWithPath: path).standardizedFileURL.path
    if relative.hasPrefix(root + "/") { relative.removeFirst(root.count + 1) }
    // A raw string needs a delimiter whose closing form never occurs in the text.
    var hashes = "#"
    while source.contains("\"" + hashes) || source.contains("\\" + hashes) { hashes += "#" }
    swift += "        \"\(relative)\": \(hashes)\"\"\"\n\(source)\n\"\"\"\(hashes),\n"
}
swift += "    ]\n}\n"
try swift.write(toFile: arguments[2], atomically: true, encoding: .utf8)
