// jinn-benchmark [SUITE…]: side-by-side timings against baselines measured in the same run.
import Foundation

let suites: [(name: String, summary: String, run: () async throws -> Void)] = [
    ("startup", "process start to first message vs. cold python3 -c pass", StartupBenchmark.run),
    ("rpc", "calls into Python and REPL executions vs. a Python-to-Python pipe", RPCBenchmark.run),
    ("objects", "operations on Python objects through handles vs. plain calls", ObjectsBenchmark.run),
    ("arrays", "Float32 arrays handed to numpy in shared memory vs. sent through the channel", ArraysBenchmark.run),
    ("scripts", "jinn SCRIPT through the warm daemon vs. python3 SCRIPT", ScriptsBenchmark.run),
    ("terminal", "jinn SCRIPT under a pseudo-terminal and piped vs. python3 SCRIPT", TerminalBenchmark.run),
    ("environments", "create a venv and install six: uv vs. venv + pip", EnvironmentsBenchmark.run),
    ("deps", "a PEP 723 script asking for six, first and second run: jinn vs. uv run", DepsBenchmark.run),
]

let requested = Array(CommandLine.arguments.dropFirst())
if requested.contains("-h") || requested.contains("--help") {
    print("usage: jinn-benchmark [SUITE…]   (all suites when none is named)\n\nsuites:")
    for suite in suites { print("  \(suite.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(suite.summary)") }
    exit(0)
}
for name in requested where !suites.contains(where: { $0.name == name }) {
    FileHandle.standardError.write(Data("jinn-benchmark: no suite named '\(name)'\n".utf8))
    exit(2)
}
for suite in suites where requested.isEmpty || requested.contains(suite.name) {
    print("== \(suite.name): \(suite.summary)")
    try await suite.run()
    print()
}
