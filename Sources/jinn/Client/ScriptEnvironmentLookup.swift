import JinnDaemonCore
import JinnSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the environment of a run that has dependencies (a PEP 723 block, `--with`, `--requirements`) in the run
/// index, without parsing anything; hands the run to `jinn-tool prepare-run` when the environment is not ready.
///
/// A script without a block, run without those flags, costs one read of the script (which the interpreter reads
/// anyway) and a scan of its line starts.
enum ScriptEnvironmentLookup {
    /// The run's environment: its interpreter, and the descriptor that marks it in use.
    struct Found {
        var interpreter: String
        var usageDescriptor: Int32
    }

    /// The environment of the run, nil when it needs none. Does not return when the environment must be made.
    static func environment(for invocation: ClientInvocation, configured: String?, diagnostics: Diagnostics) -> Found? {
        var script: String?
        if let path = invocation.scriptFile { script = String(decoding: path, as: UTF8.self) }
        var defaultInterpreter: String?
        let gathered = ScriptRunInputs.gather(
            script: script, with: invocation.with,
            requirementFiles: invocation.requirementFiles.map { String(decoding: $0, as: UTF8.self) },
            defaultInterpreter: {
                defaultInterpreter = configured ?? ExecutableSearch.find(["python3", "python"])
                return defaultInterpreter
            })
        switch gathered {
        case .none:
            return nil
        case .inputs(let inputs):
            let cache = ScriptRunIndex.cacheDirectory()
            if let (environment, interpreter) = ScriptRunIndex.lookup(inputs, cacheDirectory: cache),
               let descriptor = ScriptRunIndex.markInUse(environment)
            {
                diagnostics.note("environment \(environment)")
                return Found(interpreter: interpreter, usageDescriptor: descriptor)
            }
        case .unreadable:
            break
        }
        handOff(invocation, script: script, defaultInterpreter: defaultInterpreter, diagnostics: diagnostics)
    }

    /// Runs `jinn-tool prepare-run` in this process's place: it makes the environment (or says what is wrong),
    /// then runs this command line again.
    private static func handOff(_ invocation: ClientInvocation, script: String?, defaultInterpreter: String?,
                                diagnostics: Diagnostics) -> Never
    {
        diagnostics.note("the run's environment is not ready; handing over to \(Executables.tool)")
        var arguments: [[UInt8]] = [Array("prepare-run".utf8)]
        if let script { arguments += [Array("--script".utf8), Array(script.utf8)] }
        for item in invocation.with { arguments += [Array("--with".utf8), item] }
        for file in invocation.requirementFiles { arguments += [Array("--requirements".utf8), file] }
        arguments += [Array("--python".utf8), Array((defaultInterpreter ?? "python3").utf8)]
        if invocation.verbose { arguments.append(Array("--verbose".utf8)) }
        ToolHandOff.exec(arguments + [Array("--".utf8)] + invocation.original)
    }
}
