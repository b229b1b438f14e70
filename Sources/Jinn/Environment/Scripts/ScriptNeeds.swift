/// What a script's environment must hold: its requirements (from a PEP 723 block, `--with` and `--requirements`),
/// or the exact pins of its lock, and the modules its zygote may preload (`[tool.jinn] preload`).
///
/// Two scripts whose requirements are the same set, whatever their order or spelling (`Six>=1.16` and
/// `six >= 1.16`), have the same needs, and so share an environment.
///
/// ```swift
/// let needs = ScriptNeeds(requirements: [try PackageRequirement("six>=1.16")])
/// print(needs.requirementLines)   // ["six>=1.16"]
/// ```
public struct ScriptNeeds: Sendable, Hashable {
    /// The requirements, normalized, without duplicates, sorted.
    public private(set) var requirements: [PackageRequirement]
    /// The lock whose pins the environment holds instead of resolving the requirements.
    public var lock: LockFile?
    /// Modules the environment's zygote may import ahead of its runs.
    public var preload: [String]

    /// Needs from requirements, a lock and preloads.
    public init(requirements: [PackageRequirement], lock: LockFile? = nil, preload: [String] = []) {
        var seen = Set<String>()
        self.requirements = requirements.filter { seen.insert($0.description).inserted }
            .sorted { $0.description < $1.description }
        self.lock = lock
        self.preload = preload
    }

    /// The requirements as the installer gets them.
    public var requirementLines: [String] { requirements.map(\.description) }

    /// The text the environment is keyed by: the interpreter, and the requirement set or the lock's pins with their
    /// hashes.
    func key(interpreter: PythonInterpreter) -> String {
        var text = "jinn-script-environment 1\ninterpreter \(interpreter.executable) \(interpreter.version)\n"
        if let lock {
            text += "locked\n"
            for package in lock.packages {
                text += package.requirementLine(withHashes: true) + "\n"
            }
        } else {
            for line in requirementLines { text += line + "\n" }
        }
        return text
    }

    /// The requirements a lock does not satisfy (a name it lacks, or a pin outside the requirement's versions);
    /// empty when the lock covers them all.
    public func unsatisfied(by lock: LockFile) -> [String] {
        let pins = Dictionary(lock.packages.map { (RequirementName.normalized($0.name), $0) }) { first, _ in first }
        return requirements.filter { requirement in
            guard let pin = pins[requirement.normalizedName] else { return true }
            guard let specifier = requirement.specifier, let version = try? PackageVersion(pin.version) else {
                return false
            }
            return !specifier.contains(version)
        }.map(\.description)
    }
}
