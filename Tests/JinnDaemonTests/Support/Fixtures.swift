import Jinn
@testable import JinnDaemon
import JinnDaemonCore
import JinnWire
import Synchronization

/// Requests, interpreters and zygotes as the daemon's parts meet them, made without Python.
enum Fixtures {
    /// A run request for a script, with its environment as `KEY=VALUE` items.
    static func request(script: String = "/srv/tools/report.py", arguments: [String] = [],
                        environment: [String] = ["PATH=/usr/bin:/bin", "HOME=/home/ada"],
                        workingDirectory: String = "/srv") -> RunRequest
    {
        RunRequest(entry: .script(Array(script.utf8)), arguments: ([script] + arguments).map { Array($0.utf8) },
                   workingDirectory: Array(workingDirectory.utf8), environment: environment.map { Array($0.utf8) },
                   umask: 0o022)
    }

    /// A `-c` run request.
    static func codeRequest(_ code: String = "pass") -> RunRequest {
        RunRequest(entry: .code(Array(code.utf8)), arguments: [Array("-c".utf8)], workingDirectory: Array("/".utf8),
                   environment: [], umask: 0o022)
    }

    /// A `-m` run request.
    static func moduleRequest(_ name: String) -> RunRequest {
        RunRequest(entry: .module(Array(name.utf8)), arguments: [Array("-m".utf8)],
                   workingDirectory: Array("/".utf8), environment: [], umask: 0o022)
    }

    /// An interpreter description that no test runs.
    static func interpreter(_ executable: String = "/opt/python/bin/python3.12") -> PythonInterpreter {
        PythonInterpreter(executable: executable, version: PythonVersion(major: 3, minor: 12, micro: 1),
                          implementation: "cpython", platform: "linux", machine: "x86_64", prefix: "/opt/python",
                          basePrefix: "/opt/python", sitePackages: [])
    }

    /// The socket directory of the daemons tests wire up (never created).
    static let socketDirectory = "/run/jinn-test"

    /// Settings with these preloads and that socket directory (and the defaults otherwise).
    static func configuration(preload: [String] = [], interpreter: String? = nil) -> Configuration {
        var configuration = Configuration()
        configuration.socketDirectory = socketDirectory
        configuration.preload = preload
        configuration.interpreter = interpreter
        return configuration
    }

    static let key = ZygoteKey(executable: "/opt/python/bin/python3.12", environment: [])
}

/// Counts the ends a zygote reports to its owner.
final class EndCounter: ZygoteDelegate {
    private let count = Mutex(0)

    /// How many times a zygote said it ended.
    var ends: Int { count.withLock { $0 } }

    func zygoteDidEnd(_ zygote: Zygote) {
        count.withLock { $0 += 1 }
    }
}

/// A zygote on a scripted process, with what it reports recorded.
struct ZygoteHarness {
    let process: ScriptedZygoteProcess
    let statistics = RunStatistics()
    let log = LogRecord()
    let owner = EndCounter()
    let zygote: Zygote

    init(process: ScriptedZygoteProcess = ScriptedZygoteProcess(), settings: [String] = ["", ""],
         key: ZygoteKey = Fixtures.key)
    {
        self.process = process
        zygote = Zygote(key: key, settings: settings, preload: ["json"], process: process, logger: log.logger,
                        statistics: statistics, delegate: owner)
    }

    /// A harness whose zygote has launched.
    static func launched(settings: [String] = ["", ""]) throws -> ZygoteHarness {
        let harness = ZygoteHarness(settings: settings)
        try harness.zygote.launch()
        return harness
    }

    /// A session for `request` whose client end is `client`, submitted to the zygote.
    @discardableResult
    func submit(_ request: RunRequest = Fixtures.request(), client: ClientEnd, id: String = Session.makeID()) throws
        -> Session
    {
        let session = Session(id: id, request: request, clientFD: client.daemonFD)
        try zygote.submit(session, request: request, descriptors: [0, 1, 2])
        return session
    }
}
