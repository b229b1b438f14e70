import JinnWire

/// The two-stage bootstrap that turns a bare interpreter into one running a program held in memory.
///
/// The interpreter starts as `python -u -c FIRST_STAGE` with the channel socket as descriptor 3. The first stage
/// is a few lines that read a frame holding the second stage (`jinn/_importer.py`) and run it; the second stage
/// reads a frame holding the program (marshal), installs a finder that serves every module from memory (the
/// `jinn` package included) and runs the entry point as `__main__`.
enum Bootstrap {
    /// The descriptor the channel has in the child.
    static let channelDescriptor: Int32 = 3

    /// Kept tiny and free of imports beyond `os` and `sys`, which every interpreter has loaded already.
    static let firstStage = """
        import os,sys
        def r(n):
         b=b''
         while len(b)<n:
          c=os.read(3,n-len(b))
          if not c:os._exit(1)
          b+=c
         return b
        m=sys.modules['jinn._importer']=type(sys)('jinn._importer')
        exec(compile(r(int.from_bytes(r(4),'little')),'<jinn>/jinn/_importer.py','exec'),m.__dict__)
        m.bootstrap(r)
        """

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

    /// The bytes sent on the channel before anything else: the second stage, then the program.
    static func payload(for program: PythonProgram, maximumMessageSize: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        Frame.append(payload: Array(EmbeddedPython.files["jinn/_importer.py"]!.utf8), to: &bytes)
        let modules = (packageModules + program.modules).map { module -> PythonValue in
            .tuple([.string(module.name), .string(module.virtualPath), .string(module.source), .bool(module.isPackage)])
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
            .init("values", .dict(program.values.sorted { $0.key < $1.key }.map { .init(.string($0.key), $0.value) })),
            .init("maximum_message_size", .int(maximumMessageSize)),
            .init("listen", .bool(program.pythonListens)),
        ])
        Frame.append(payload: Marshal.encode(description), to: &bytes)
        return bytes
    }
}
