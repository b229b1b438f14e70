import ArgumentParser
import Foundation
import Jinn

/// `jinn env list`.
struct EnvListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the named environments."
    )

    @OptionGroup var location: StoreOptions

    @Flag(name: .long, help: "Print JSON: name, path and kind of each environment.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let store = location.store
            var rows: [[String: String]] = []
            for name in store.names() {
                let environment = try store.environment(named: name)
                rows.append(["name": name, "path": environment.path, "kind": environment.kind.rawValue])
            }
            if json {
                let data = try! JSONSerialization.data(withJSONObject: rows,
                                                       options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            } else if rows.isEmpty {
                FileHandle.standardError.write(Data("jinn: no environments in \(store.root)\n".utf8))
            } else {
                let width = rows.map { $0["name"]!.count }.max() ?? 0
                for row in rows {
                    let name = row["name"]!
                    print(name + String(repeating: " ", count: width - name.count) + "  " + row["path"]!
                          + (row["kind"] == "conda" ? "  (conda)" : ""))
                }
            }
        }
    }
}
