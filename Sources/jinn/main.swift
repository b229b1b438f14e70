// The `jinn` command. A script run (`jinn script.py …`, `jinn -c …`, `jinn -m …`, `jinn -`, `jinn run …`, a
// `#!/usr/bin/env jinn` script, any of python3's command lines) is served here, by a client that links neither
// Foundation nor ArgumentParser; a subcommand goes to `jinn-tool`, which replaces this process.
import JinnDaemonCore

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
ToolHandOff.exec(rawArguments)
