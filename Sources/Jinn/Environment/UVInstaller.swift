import Foundation

/// Creates environments with `uv venv` and installs with `uv pip install`.
struct UVInstaller: Installer {
    let executable: String
    let version: String?

    init(executable: String) async {
        self.executable = executable
        self.version = await UVTool.version(of: executable)
    }

    var kind: InstallerKind { .uv }
    var name: String { version.map { "uv \($0)" } ?? "uv" }

    func createEnvironment(at path: String, base: PythonInterpreter, options: EnvironmentOptions)
        async throws(JinnError)
    {
        if options.interpreterLink == .copies {
            // uv always links the interpreter; the standard library copies it, and uv installs the rest.
            var venvOptions = options
            venvOptions.includePip = false
            try await PipInstaller().createEnvironment(at: path, base: base, options: venvOptions)
            if options.includePip == true {
                try await install(InstallRequest(["pip"]), python: path + "/bin/python", progress: nil)
            }
            return
        }
        let result = try await ToolRun.run(executable, creationArguments(path: path, base: base, options: options))
        guard result.termination.isSuccess else {
            throw .environment(.creationFailed(path: path, tool: name, message: result.tail))
        }
    }

    func creationArguments(path: String, base: PythonInterpreter, options: EnvironmentOptions) -> [String] {
        var arguments = ["venv", path, "--python", base.executable, "--no-project", "--no-config",
                         "--no-python-downloads"]
        if options.systemSitePackages { arguments.append("--system-site-packages") }
        if options.includePip == true { arguments.append("--seed") }
        if let prompt = options.prompt { arguments += ["--prompt", prompt] }
        return arguments
    }

    func install(_ request: InstallRequest, python: String, progress: InstallProgressHandler?)
        async throws(JinnError)
    {
        try await Installers.runInstall(executable, installArguments(request, python: python), kind: .uv,
                                        name: name, request: request, progress: progress)
    }

    func installArguments(_ request: InstallRequest, python: String) -> [String] {
        var arguments = ["pip", "install", "--python", python, "--no-python-downloads"]
        arguments += indexArguments(request)
        if request.noDependencies { arguments.append("--no-deps") }
        if request.requireHashes { arguments.append("--require-hashes") }
        if request.compileBytecode { arguments.append("--compile-bytecode") }
        for file in request.requirementFiles { arguments += ["-r", file] }
        // After `--`, no requirement can be read as an option.
        return arguments + ["--"] + request.requirements
    }

    private func indexArguments(_ request: InstallRequest) -> [String] {
        var arguments: [String] = []
        if let index = request.indexURL { arguments += ["--index-url", index] }
        for extra in request.extraIndexURLs { arguments += ["--extra-index-url", extra] }
        if request.noCache { arguments.append("--no-cache") }
        return arguments
    }

    func indexHashes(for pins: [String], python: String, index: InstallRequest) async throws(JinnError)
        -> [String: [String]]
    {
        guard !pins.isEmpty else { return [:] }
        let file = try TemporaryFile(contents: pins.joined(separator: "\n") + "\n", suffix: ".txt")
        defer { file.remove() }
        let arguments = ["pip", "compile", file.path, "--python", python, "--no-python-downloads", "--no-deps",
                         "--generate-hashes", "--no-header", "--no-annotate", "--no-strip-extras"]
            + indexArguments(index)
        let result = try await ToolRun.run(executable, arguments)
        guard result.termination.isSuccess else {
            throw .environment(Installers.failure(result, request: InstallRequest(pins), installer: name))
        }
        return Self.parseHashes(result.output)
    }

    /// `name==version \` followed by `    --hash=sha256:… \` lines, as `uv pip compile --generate-hashes` prints.
    static func parseHashes(_ lines: [String]) -> [String: [String]] {
        var hashes: [String: [String]] = [:]
        var current: String?
        for line in lines {
            let text = line.trimmingCharacters(in: .whitespaces)
            if let hash = text.dropPrefix("--hash=") {
                if let current { hashes[current, default: []].append(hash.replacingOccurrences(of: " \\", with: "")) }
            } else if !text.isEmpty, !text.hasPrefix("#") {
                current = RequirementName.normalized(RequirementName.of(text))
            }
        }
        return hashes
    }
}
