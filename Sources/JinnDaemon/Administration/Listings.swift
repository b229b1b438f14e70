import Foundation
import JinnWire

extension Session {
    /// The session as the `sessions` reply lists it.
    var listing: PythonValue {
        let elapsed = ContinuousClock.now - received
        return .dict([
            .init("id", .string(id)),
            .init("pid", runPID.map { .int(Int($0)) } ?? .none),
            .init("script", .string(script)),
            .init("args", .list(arguments.map(PythonValue.string))),
            .init("cwd", .string(workingDirectory)),
            .init("started", .float(startDate.timeIntervalSince1970)),
            .init("duration", .float(elapsed.seconds)),
        ])
    }

    /// The pid of the run's own process: for a run with a terminal, the one child of its terminal's holder (the
    /// pid the zygote reported), as the kernel lists it; the holder's where that list cannot be read.
    var runPID: Int32? {
        guard let pid, hasTerminal,
            let children = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8),
            let first = children.split(separator: " ").first, let child = Int32(first)
        else { return pid }
        return child
    }
}

extension ZygoteSummary {
    /// The zygote as the `status` reply lists it; `memory` is its resident size now.
    var listing: PythonValue {
        .dict([
            .init("pid", pid.map { .int(Int($0)) } ?? .none),
            .init("environment", .string(key.description)),
            .init("preloaded", .list((facts?.preloaded ?? []).map(PythonValue.string))),
            .init("failed", .list((facts?.failures ?? []).map { .tuple([.string($0.module), .string($0.error)]) })),
            // Why each preloaded module is, and those that misbehaved while they were imported.
            .init("why", .dict((facts?.preloaded ?? []).map { .init(.string($0), .string(preloadReasons[$0] ?? "configured")) })),
            .init("refused", .list((facts?.refusals ?? []).map { .tuple([.string($0.module), .string($0.error)]) })),
            .init("ready", .bool(isReady)),
            .init("retired", .bool(retired)),
            .init("runs", .int(runs)),
            .init("active", .int(active)),
            .init("memory", .int(pid.map(ResidentMemory.bytes(of:)) ?? 0)),
        ])
    }
}
