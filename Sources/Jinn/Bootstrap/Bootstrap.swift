import JinnWire

/// The two-stage bootstrap that turns a bare interpreter into one running a program held in memory.
///
/// The interpreter starts as `python -u -c FIRST_STAGE` reading the channel on descriptor 3 (and writing it on 4,
/// unless the channel is one socket). The first stage
/// is a few lines that read a frame holding the second stage (`jinn/_importer.py`) and run it; the second stage
/// reads a frame holding the program (marshal), installs a finder that serves every module from memory (the
/// `jinn` package included) and runs the entry point as `__main__`.
enum Bootstrap {
    /// The descriptor the child reads the channel from.
    static let channelDescriptor: Int32 = 3

    /// Kept tiny and free of imports beyond `os` and `sys`, which every interpreter has loaded already.
    static let firstStage = """
        import os,sys,marshal
        def r(n):
         b=b''
         while len(b)<n:
          c=os.read(3,n-len(b))
          if not c:os._exit(1)
          b+=c
         return b
        m=sys.modules['jinn._importer']=type(sys)('jinn._importer')
        s=r(int.from_bytes(r(4),'little'))
        exec(marshal.loads(s[1:]) if s[:1]==b'c' else compile(s[1:],'<jinn>/jinn/_importer.py','exec'),m.__dict__)
        m.bootstrap(r)
        """

    /// Keeps the code Python reports compiling (`("code", magic, [(path, code)])`) for the next start.
    static func storeCompiledCode(_ message: PythonValue, program: PythonProgram, interpreter: PythonInterpreter) {
        guard case .bytes(let magic)? = message[1], let entries = message[2]?.elements else { return }
        let compiled = entries.compactMap { entry -> (path: String, code: [UInt8])? in
            guard let path = entry[0]?.stringValue, case .bytes(let code)? = entry[1] else { return nil }
            return (path, code)
        }
        var sources = [stagePath: stageSource]
        for module in packageModules + program.modules { sources[module.virtualPath] = module.source }
        CodeCache.shared.store(executable: interpreter.executable, magic: magic, compiled: compiled, sources: sources)
    }

    /// The modules of the `jinn` Python package, as the program's finder serves them.
    static let packageModules: [PythonModule] = EmbeddedPython.files.keys.sorted().compactMap { path in
        guard path.hasPrefix("jinn/"), path.hasSuffix(".py"), let source = EmbeddedPython.files[path] else {
            return nil
        }
        let parts = path.dropLast(3).split(separator: "/").map(String.init)
        if parts.last == "__init__" {
            return PythonModule(name: parts.dropLast().joined(separator: "."), source: source, isPackage: true)
        }
        return PythonModule(name: parts.joined(separator: "."), source: source)
    }

    static let stagePath = "<jinn>/jinn/_importer.py"
    static let stageSource = EmbeddedPython.files["jinn/_importer.py"]!

    /// The bytes sent on the channel before anything else: the second stage (compiled when the cache has it,
    /// else source; a one-byte tag says which), then the program.
    static func payload(for program: PythonProgram, interpreter: PythonInterpreter, maximumMessageSize: Int,
                        sharedMemory: (descriptor: Int32, capacity: Int)? = nil, busyPolling: Duration = .zero,
                        descriptorSocket: Int32? = nil)
        -> [UInt8]
    {
        let cached = CodeCache.shared.lookup(executable: interpreter.executable)
        var bytes: [UInt8] = []
        let compiledStage = cached?.code(stagePath, stageSource)
        if let compiledStage {
            Frame.append(payload: [UInt8(ascii: "c")] + compiledStage, to: &bytes)
        } else {
            Frame.append(payload: [UInt8(ascii: "s")] + Array(stageSource.utf8), to: &bytes)
        }
        let modules = (packageModules + program.modules).map { module -> PythonValue in
            let code = cached?.code(module.virtualPath, module.source)
            return .tuple([.string(module.name), .string(module.virtualPath), .string(module.source),
                           .bool(module.isPackage), code.map(PythonValue.bytes) ?? .none])
        }
        let entry: PythonValue
        let programName: String
        switch program.entry {
        case .module(let name):
            entry = .tuple(["module", .string(name)])
            programName = program.modules.first(where: { $0.name == name })?.virtualPath ?? name
        case .script(let path):
            entry = .tuple(["script", .string(path)])
            programName = path
        case .code(let source):
            entry = .tuple(["code", .string(source)])
            programName = "-c"
        }
        let argv = [program.programName ?? programName] + program.arguments
        let description: PythonValue = .dict([
            .init("modules", .list(modules)),
            .init("entry", entry),
            .init("argv", .list(argv.map(PythonValue.string))),
            .init("path0", program.pathEntry.map(PythonValue.string) ?? .none),
            .init("values", .dict(program.values.sorted { $0.key < $1.key }.map { .init(.string($0.key), $0.value) })),
            .init("maximum_message_size", .int(maximumMessageSize)),
            .init("code_magic", cached.map { .bytes($0.magic) } ?? .none),
            .init("stage_was_compiled", .bool(compiledStage != nil)),
            .init("listen", .bool(program.pythonListens)),
            .init("shared_memory", sharedMemory.map { .tuple([.int(Int($0.descriptor)), .int($0.capacity)]) } ?? .none),
            .init("busy_poll", .float(busyPolling.seconds)),
            .init("descriptor_socket", descriptorSocket.map { .int(Int($0)) } ?? .none),
            .init("channel_out", .int(Int(program.transport == .pipes ? channelDescriptor + 1 : channelDescriptor))),
        ])
        Frame.append(payload: Marshal.encode(description), to: &bytes)
        return bytes
    }
}
