import JinnWire

/// python3's options on a `jinn` command line, read with python3's grammar: short flags combine (`-uB`, `-OO`), an
/// option's value is the rest of its word or the next word (`-Wdefault`, `-W default`, `-Xdev`), and `-c`/`-m`
/// end the options with what runs (`-uc CODE`, `-cCODE`).
///
/// The flags that shape the interpreter's start-up go to ``options`` one word each, for the run's zygote (`-u` and
/// `-x`, which the run applies itself, key no zygote). What only the interpreter itself can answer exactly (`-V`,
/// `-h`, `-v` and `-X importtime`, which trace the start-up, an unknown option, a missing value) sets
/// ``directReason``: the interpreter then runs in the client's place and answers as python3 does, with its own
/// words and status.
struct PythonOptions {
    /// The option words as typed, for `sys.orig_argv` and a direct run.
    var typed: [[UInt8]] = []
    /// The start-up options, one word each: `-O`, `-O`, `-W`, `default`, `-X`, `dev`.
    var options: [[UInt8]] = []
    /// `-c CODE` or `-m MODULE`, once read.
    var entry: RunRequest.Entry?
    /// Why the interpreter must answer this command line itself.
    var directReason: String?

    /// Reads the option word at `index` (it starts with `-` and is not `--`); returns how many words it used.
    mutating func read(_ arguments: [[UInt8]], at index: Int) -> Int? {
        let word = arguments[index]
        if word[1] == UInt8(ascii: "-") { return readLong(arguments, at: index) }
        typed.append(word)
        var position = 1
        while position < word.count {
            let letter = word[position]
            switch letter {
            case UInt8(ascii: "c"), UInt8(ascii: "m"), UInt8(ascii: "W"), UInt8(ascii: "X"):
                let value: [UInt8]
                var used = 1
                if position + 1 < word.count {
                    value = Array(word[(position + 1)...])
                } else if index + 1 < arguments.count {
                    value = arguments[index + 1]
                    typed.append(value)
                    used = 2
                } else {
                    directReason = "python3's -\(Character(Unicode.Scalar(letter))) without its argument"
                    return 1
                }
                switch letter {
                case UInt8(ascii: "c"): entry = .code(value)
                case UInt8(ascii: "m"): entry = .module(value)
                default:
                    if letter == UInt8(ascii: "X"), Self.needsFreshStartUp(value) {
                        directReason = "-X \(String(decoding: value, as: UTF8.self)) reports on the start-up itself"
                    }
                    options += [[UInt8(ascii: "-"), letter], value]
                }
                return used
            case UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "d"), UInt8(ascii: "E"), UInt8(ascii: "I"),
                 UInt8(ascii: "O"), UInt8(ascii: "P"), UInt8(ascii: "q"), UInt8(ascii: "R"), UInt8(ascii: "s"),
                 UInt8(ascii: "S"), UInt8(ascii: "u"), UInt8(ascii: "x"), UInt8(ascii: "i"):
                options.append([UInt8(ascii: "-"), letter])
            case UInt8(ascii: "V"), UInt8(ascii: "h"), UInt8(ascii: "?"):
                directReason = "python3's own answer to -\(Character(Unicode.Scalar(letter)))"
            case UInt8(ascii: "v"):
                directReason = "python3's -v, which traces the start-up's imports"
            default:
                directReason = "an option python3 does not know"
            }
            if directReason != nil { return 1 }
            position += 1
        }
        return 1
    }

    private mutating func readLong(_ arguments: [[UInt8]], at index: Int) -> Int? {
        let word = arguments[index]
        typed.append(word)
        if ClientInvocation.isWord(word, "--check-hash-based-pycs") {
            guard index + 1 < arguments.count else {
                directReason = "python3's --check-hash-based-pycs without its argument"
                return 1
            }
            typed.append(arguments[index + 1])
            options += [word, arguments[index + 1]]
            return 2
        }
        // --help, --version, --help-env, --help-xoptions, --help-all, and the options python3 refuses.
        directReason = "python3's own answer to \(String(decoding: word, as: UTF8.self))"
        return 1
    }

    /// Whether an `-X` option's output describes the interpreter's start-up, which a warm run cannot repeat.
    private static func needsFreshStartUp(_ value: [UInt8]) -> Bool {
        let name = value.split(separator: UInt8(ascii: "="), maxSplits: 1).first.map(Array.init) ?? []
        return ClientInvocation.isWord(name, "importtime") || ClientInvocation.isWord(name, "showrefcount")
    }
}
