import ArgumentParser
import Foundation
import Jinn

/// `jinn env create ENV [PACKAGE…]`.
struct EnvCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an environment (or reuse the one that exists) and install packages into it.",
        discussion: """
            The environment is built beside its target and moved into place only when complete; a failure \
            leaves nothing behind. Two processes creating the same environment take turns: the second reuses \
            what the first made.
            """
    )

    @OptionGroup var location: StoreOptions
    @OptionGroup var interpreter: InterpreterOption
    @OptionGroup var installer: InstallerOptions
    @OptionGroup var index: IndexOptions
    @OptionGroup var contents: PackageArguments

    @Flag(name: .long, help: "Give the environment access to the base interpreter's site-packages.")
    var systemSitePackages = false

    @Flag(name: .long, help: "Copy the interpreter instead of linking to it.")
    var copies = false

    @Flag(name: .long, help: "Replace an existing environment (the new one is swapped in when complete).")
    var clear = false

    @Flag(name: .long, help: "Upgrade an existing environment to the base interpreter's version, in place.")
    var upgrade = false

    @Flag(name: .long, help: "Install pip into the environment (the default with venv, not with uv).")
    var withPip = false

    @Flag(name: .long, help: "Do not install pip into the environment.")
    var withoutPip = false

    @Option(name: .long, help: "The prompt of the activation scripts.")
    var prompt: String?

    func validate() throws {
        if withPip && withoutPip { throw ValidationError("--with-pip and --without-pip exclude each other") }
        if contents.conda != nil && (clear || upgrade || copies || systemSitePackages || withPip || withoutPip) {
            throw ValidationError("--clear, --upgrade, --copies, --system-site-packages and --with(out)-pip "
                + "apply to virtual environments, not to --conda")
        }
    }

    func run() async throws {
        let reporter = ProgressReporter(quiet: contents.quiet)
        try await reportingErrors(reporter) {
            let path = try location.path(of: contents.environment)
            let created: EnvironmentCreation
            if let conda = contents.conda {
                created = try await CondaBackend.find(conda).create(
                    at: path, packages: contents.packages, channels: contents.channel, progress: reporter.handler)
            } else {
                var options = EnvironmentOptions()
                options.systemSitePackages = systemSitePackages
                options.interpreterLink = copies ? .copies : .symlinks
                options.clear = clear
                options.upgrade = upgrade
                options.includePip = withPip ? true : withoutPip ? false : nil
                options.prompt = prompt
                options.installer = try installer.choice()
                options.cacheDirectory = installer.cacheDir
                created = try await VirtualEnvironment.create(
                    at: path, from: try await interpreter.interpreter(), options: options,
                    packages: index.request(contents.packages, files: contents.requirementFiles),
                    progress: reporter.handler)
            }
            reporter.finish()
            let tool = created.installer.map { " with \($0)" } ?? ""
            print(created.reused ? "\(created.environment.path) exists; reused it\(tool)"
                                 : "created \(created.environment.path)\(tool)")
        }
    }
}

extension CondaBackend.Flavor: ExpressibleByArgument {}
