/// Creates environments with the standard library's `venv` and installs with the environment's own pip.
struct PipInstaller: Installer {
    var kind: InstallerKind { .pip }
    var name: String { "pip" }

    func createEnvironment(at path: String, base: PythonInterpreter, options: EnvironmentOptions)
        async throws(JinnError)
    {
        let result = try await ToolRun.run(base.executable, creationArguments(path: path, options: options))
        guard result.termination.isSuccess else {
            throw .environment(.creationFailed(path: path, tool: "\(base.executable) -m venv", message: result.tail))
        }
    }

    func creationArguments(path: String, options: EnvironmentOptions) -> [String] {
        var arguments = ["-m", "venv"]
        if options.systemSitePackages { arguments.append("--system-site-packages") }
        arguments.append(options.interpreterLink == .copies ? "--copies" : "--symlinks")
        if options.includePip == false { arguments.append("--without-pip") }
        if let prompt = options.prompt { arguments += ["--prompt", prompt] }
        return arguments + [path]
    }

    func install(_ request: InstallRequest, python: String, progress: InstallProgressHandler?)
        async throws(JinnError)
    {
        let check = try await ToolRun.run(python, ["-I", "-c", "import pip"])
        guard check.termination.isSuccess else {
            throw .environment(.toolNotFound(
                tool: "pip in the environment of \(python)",
                hint: "the environment was created without pip; install with uv (EnvironmentOptions.installer "
                    + "= .uv; --installer uv), or recreate it with pip (options.clear and options.installer = .pip; "
                    + "--clear --installer pip)"))
        }
        try await Installers.runInstall(python, installArguments(request), kind: .pip, name: name,
                                        request: request, progress: progress)
    }

    func installArguments(_ request: InstallRequest) -> [String] {
        var arguments = ["-I", "-m", "pip", "install", "--no-input", "--disable-pip-version-check",
                         "--progress-bar", "off"]
        if let index = request.indexURL { arguments += ["--index-url", index] }
        for extra in request.extraIndexURLs { arguments += ["--extra-index-url", extra] }
        if request.noCache { arguments.append("--no-cache-dir") }
        if request.noDependencies { arguments.append("--no-deps") }
        if request.requireHashes { arguments.append("--require-hashes") }
        for file in request.requirementFiles { arguments += ["-r", file] }
        // After `--`, no requirement can be read as an option.
        return arguments + ["--"] + request.requirements
    }

    func indexHashes(for pins: [String], python: String, index: InstallRequest) async throws(JinnError)
        -> [String: [String]]
    {
        [:]
    }
}
