// The `jinn` command. A script run (`jinn script.py …`, `jinn -c …`, `jinn -m …`, `jinn run …`, a
// `#!/usr/bin/env jinn` script) takes the hand-parsed fast path and never reaches ArgumentParser, Foundation or
// an async runtime; everything else is an administrative subcommand.
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let commandLine = CommandLine.unsafeArgv
var rawArguments: [[UInt8]] = []
for index in 1..<Int(CommandLine.argc) {
    guard let pointer = commandLine[index] else { continue }
    rawArguments.append(Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))))
}
if let invocation = ClientInvocation.parse(rawArguments) {
    ScriptClient.run(invocation)
}

// ArgumentParser runs async commands on the main actor: the main thread must serve the main queue.
Task { @MainActor in
    await JinnCommand.main()
    exit(0)
}
dispatchMain()
