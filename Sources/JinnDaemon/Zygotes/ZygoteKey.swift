/// What makes two runs need different zygotes: the interpreter, python3's start-up options the zygote starts with
/// (`-O`, `-W default`, `-X dev`, `-I`, …), the environment variables that shape the interpreter's start-up state
/// (`LC_*`, `LANG`, `LANGUAGE`, and `PYTHON*` unless `-E` or `-I` makes the interpreter ignore them), and the
/// settings of the run's own configuration that shape a zygote (`Configuration.zygoteSettings`: the configured
/// interpreter, the preloads, the time a preload may take; not a script environment's own preloads).
///
/// A run is served by the zygote of its key only, so that it never sees start-up state (`sys.path`, the file
/// system encoding, the hash seed) that its own environment would not have produced.
///
/// ```swift
/// let key = ZygoteKey(executable: "/usr/bin/python3.12", environment: [Array("PYTHONPATH=/src".utf8)])
/// print(key)   // /usr/bin/python3.12 [PYTHONPATH=/src]
/// ```
package struct ZygoteKey: Hashable, Sendable, CustomStringConvertible {
    /// The interpreter's real executable.
    package var executable: String
    /// The start-up variables of the caller, as sorted `KEY=VALUE` items.
    package var startupVariables: [String]
    /// The run's configuration settings that shape its zygote (`Configuration.zygoteSettings`); empty for the
    /// defaults.
    package var settings: [String]
    /// python3's start-up options, one word each, in the caller's order: the zygote's interpreter starts with
    /// them. `-u` is not among them: a run applies it to its own streams, with no other trace.
    package var options: [String] = []

    /// The key of a run with this interpreter, this environment (`KEY=VALUE` items, as the client sends them),
    /// these settings and these start-up options (``RunOptions/interpreter``).
    package init(executable: String, environment: [[UInt8]], settings: [String] = [], options: [[UInt8]] = []) {
        self.executable = executable
        self.settings = settings
        self.options = Self.zygoteOptions(options)
        let ignoresPython = self.options.contains("-E") || self.options.contains("-I")
        startupVariables = environment.compactMap { item -> String? in
            guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            let name = String(decoding: item[..<equals], as: UTF8.self)
            guard Self.isStartupVariable(name), !(ignoresPython && name.hasPrefix("PYTHON")) else { return nil }
            return String(decoding: item, as: UTF8.self)
        }.sorted()
    }

    /// The options a zygote starts with: the run's, without `-u` and `-x`, which the run applies itself (an `-X` or
    /// `-W` value that is `-u` stays).
    private static func zygoteOptions(_ words: [[UInt8]]) -> [String] {
        var result: [String] = []
        var takesValue = false
        for word in words.map({ String(decoding: $0, as: UTF8.self) }) {
            defer { takesValue = !takesValue && (word == "-W" || word == "-X" || word == "--check-hash-based-pycs") }
            if !takesValue && (word == "-u" || word == "-x") { continue }
            result.append(word)
        }
        return result
    }

    /// Whether a variable changes what the interpreter sets up at start-up (paths, encodings, buffering, hash seed).
    package static func isStartupVariable(_ name: String) -> Bool {
        name.hasPrefix("PYTHON") || name.hasPrefix("LC_") || name == "LANG" || name == "LANGUAGE"
    }

    /// The start-up variables as a dictionary, for the zygote's own environment.
    package var startupEnvironment: [String: String] {
        var result: [String: String] = [:]
        for item in startupVariables {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return result
    }

    package var description: String {
        let command = ([executable] + options).joined(separator: " ")
        var text = startupVariables.isEmpty ? command : command + " [" + startupVariables.joined(separator: " ") + "]"
        if !settings.isEmpty { text += " {" + settings.joined(separator: " ") + "}" }
        return text
    }
}
