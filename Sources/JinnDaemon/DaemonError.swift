/// Why the daemon could not start or serve a request.
package enum DaemonError: Error, CustomStringConvertible {
    /// Another daemon holds the socket directory.
    case alreadyRunning
    /// The socket directory, log or socket cannot be used.
    case unusable(String)
    /// No interpreter could be found or inspected.
    case interpreter(String)
    /// The zygote could not be started or did not take the run.
    case zygote(String)

    package var description: String {
        switch self {
        case .alreadyRunning: "another jinn daemon is already serving this socket directory"
        case .unusable(let message): message
        case .interpreter(let message): message
        case .zygote(let message): message
        }
    }

    /// The short word sent to clients.
    var code: String {
        switch self {
        case .alreadyRunning, .unusable: "unusable"
        case .interpreter: "interpreter"
        case .zygote: "zygote"
        }
    }
}
