import ArgumentParser
import Foundation
import JinnDaemonCore

/// `jinn new PATH`: writes an executable script from a template.
struct NewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Write a new script from a template: #!/usr/bin/env jinn, a PEP 723 block, an argparse main().",
        discussion: """
            The template is script.py of --template DIR, else of the templates folder in Jinn's configuration \
            directory (beside config.toml), else the default one. Placeholders: {{name}} (the file name made a \
            Python identifier), {{file}} (the file name), {{date}} (today, YYYY-MM-DD).
            """
    )

    @Argument(help: "The script to write.")
    var path: String

    @Option(name: .long, help: "A directory whose script.py is the template.")
    var template: String?

    @Flag(name: .long, help: "Replace a file that exists.")
    var force = false

    func run() async throws {
        do {
            let template = try chosenTemplate()
            let file = (path as NSString).lastPathComponent
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd"
            let text = try template.render(name: ScriptTemplate.identifier(forFile: file), file: file,
                                           date: formatter.string(from: Date()))
            try write(text)
            print("created \(path)")
        } catch {
            FileHandle.standardError.write(Data("jinn: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func chosenTemplate() throws(ScriptTemplateError) -> ScriptTemplate {
        if let template { return try ScriptTemplate.load(directory: template) }
        if let configFile = Configuration.filePath() {
            let folder = (configFile as NSString).deletingLastPathComponent + "/templates"
            if FileManager.default.fileExists(atPath: folder + "/" + ScriptTemplate.fileName) {
                return try ScriptTemplate.load(directory: folder)
            }
        }
        return ScriptTemplate.standard
    }

    /// Creates the file (never over one that exists, unless forced) with the executable bits the umask allows.
    private func write(_ text: String) throws(ScriptTemplateError) {
        let mask = umask(0)
        umask(mask)
        let mode = 0o777 & ~mode_t(mask)
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL)
        let fd = open(path, flags, mode)
        guard fd >= 0 else {
            throw ScriptTemplateError(errno == EEXIST ? "\(path) exists; use --force to replace it"
                : "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, $0.count) }) == bytes.count,
              fchmod(fd, mode) == 0 else {
            throw ScriptTemplateError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
