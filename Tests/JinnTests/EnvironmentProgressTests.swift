import Testing
@testable import Jinn

@Suite("Install progress")
struct EnvironmentProgressTests {
    @Test("pip's lines become events with package, phase, count and total")
    func pipLines() {
        var parser = InstallOutputParser(installer: .pip)
        let lines = [
            "Looking in links: /opt/wheels",
            "Collecting six",
            "  Downloading six-1.17.0-py2.py3-none-any.whl (11 kB)",
            "Collecting idna",
            "  Using cached idna-3.20-py3-none-any.whl (69 kB)",
            "Installing collected packages: six, idna",
            "Successfully installed idna-3.20 six-1.17.0",
        ]
        let events = lines.flatMap { parser.events(for: $0) }
        #expect(events.map(\.description) == [
            "resolving six (1)", "downloading six", "resolving idna (2)", "downloading idna", "installing (0/2)",
            "installed idna (1/2)", "installed six (2/2)",
        ])
    }

    @Test("uv's lines become events with package, phase, count and total")
    func uvLines() {
        var parser = InstallOutputParser(installer: .uv)
        let lines = [
            "Using Python 3.11.7 environment at: env", "Resolved 2 packages in 63ms", "Downloading numpy (15.6MiB)",
            "Prepared 2 packages in 6ms", "Installed 2 packages in 3ms", " + idna==3.10", " + six==1.17.0",
        ]
        let events = lines.flatMap { parser.events(for: $0) }
        #expect(events.map(\.description) == [
            "resolving (2/2)", "downloading numpy", "downloading (2/2)", "installing (0/2)", "installed idna (1/2)",
            "installed six (2/2)",
        ])
        #expect(events.allSatisfy { !$0.detail.isEmpty })
    }

    @Test("names of distributions and requirements")
    func names() {
        #expect(InstallOutputParser.distributionName(fromFile: "zope.interface-6.0-cp311-linux.whl (1 kB)")
                == "zope.interface")
        #expect(InstallOutputParser.distributionName(fromFile: "python-dateutil-2.9.0") == "python-dateutil")
        #expect(RequirementName.of("six>=1.16; python_version > '3'") == "six")
        #expect(RequirementName.of("foo[bar] @ https://example.org/foo.whl") == "foo")
        #expect(RequirementName.of("./local/project") == "./local/project")
        #expect(RequirementName.normalized("Zope.Interface__x") == "zope-interface-x")
    }

    @Test("relative local paths become absolute, names stay names")
    func resolvingPaths() {
        let request = InstallRequest(["six", "./wheels/a-1.0-py3-none-any.whl", "b.whl", "../proj", "c @ https://x/c.whl"],
                                     requirementFiles: ["req.txt"]).resolvingPaths(from: "/work")
        #expect(request.requirements == ["six", "/work/wheels/a-1.0-py3-none-any.whl", "/work/b.whl", "/proj",
                                         "c @ https://x/c.whl"])
        #expect(request.requirementFiles == ["/work/req.txt"])
    }

    @Test("installer command lines carry every request option")
    func commandLines() {
        var request = InstallRequest(["six"], requirementFiles: ["/r.txt"], indexURL: "https://i/simple",
                                     extraIndexURLs: ["https://e/simple"], noCache: true)
        request.noDependencies = true
        request.requireHashes = true
        #expect(PipInstaller().installArguments(request) == [
            "-I", "-m", "pip", "install", "--no-input", "--disable-pip-version-check", "--progress-bar", "off",
            "--index-url", "https://i/simple", "--extra-index-url", "https://e/simple", "--no-cache-dir", "--no-deps",
            "--require-hashes", "-r", "/r.txt", "--", "six",
        ])
        var options = EnvironmentOptions()
        options.includePip = false
        options.systemSitePackages = true
        options.prompt = "p"
        #expect(PipInstaller().creationArguments(path: "/e", options: options) == [
            "-m", "venv", "--system-site-packages", "--symlinks", "--without-pip", "--prompt", "p", "/e",
        ])
    }

    @Test("the hashes uv prints are read per package")
    func uvHashes() {
        let hashes = UVInstaller.parseHashes([
            "idna==3.10 \\", "    --hash=sha256:aa \\", "    --hash=sha256:bb", "Six==1.17.0 \\", "    --hash=sha256:cc",
        ])
        #expect(hashes == ["idna": ["sha256:aa", "sha256:bb"], "six": ["sha256:cc"]])
    }
}
