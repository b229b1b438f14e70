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
    /// The run cannot be served now (its zygote is not ready in time): the client runs it directly.
    case direct(String)
    /// The daemon held the run's claim, but no zygote took the run: it never began.
    case unstarted(String)
    /// The client gave the run up before it was handed to a zygote.
    case clientGone

    package var description: String {
        switch self {
        case .alreadyRunning: "another jinn daemon is already serving this socket directory"
        case .unusable(let message): message
        case .interpreter(let message): message
        case .zygote(let message), .direct(let message), .unstarted(let message): message
        case .clientGone: "the client gave the run up before it started"
        }
    }

    /// The short word sent to clients.
    var code: String {
        switch self {
        case .alreadyRunning, .unusable: "unusable"
        case .interpreter: "interpreter"
        case .zygote: "zygote"
        case .direct: "direct"
        case .unstarted: "unstarted"
        case .clientGone: "gone"
        }
    }
}
