@testable import JinnDaemon
import Testing

struct ZygoteKeyTests {
    private func key(_ environment: [String], executable: String = "/usr/bin/python3.12") -> ZygoteKey {
        ZygoteKey(executable: executable, environment: environment.map { Array($0.utf8) })
    }

    @Test func onlyStartupVariablesShapeTheKey() {
        let first = key(["PATH=/a:/b", "HOME=/home/ada", "PYTHONPATH=/src", "LANG=C.UTF-8", "TERM=xterm"])
        let second = key(["PATH=/elsewhere", "EDITOR=vi", "PYTHONPATH=/src", "LANG=C.UTF-8"])
        #expect(first == second)
        #expect(first.startupVariables == ["LANG=C.UTF-8", "PYTHONPATH=/src"])
    }

    @Test func theOrderOfTheEnvironmentDoesNotMatter() {
        let first = key(["PYTHONPATH=/src", "LC_ALL=C", "LANGUAGE=en"])
        let second = key(["LANGUAGE=en", "PYTHONPATH=/src", "LC_ALL=C"])
        #expect(first == second)
        #expect(first.startupVariables == ["LANGUAGE=en", "LC_ALL=C", "PYTHONPATH=/src"])
    }

    @Test func anotherValueAnotherVariableOrAnotherInterpreterIsAnotherKey() {
        let base = key(["PYTHONHASHSEED=1"])
        #expect(base != key(["PYTHONHASHSEED=2"]))
        #expect(base != key(["PYTHONHASHSEED=1", "LC_CTYPE=C"]))
        #expect(base != key([]))
        #expect(base != key(["PYTHONHASHSEED=1"], executable: "/usr/bin/python3.11"))
        #expect(Set([base, key(["PYTHONHASHSEED=1"]), key(["PYTHONHASHSEED=2"])]).count == 2)
    }

    @Test func startUpOptionsShapeTheKeyButMinusUDoesNot() {
        func keyed(_ options: [String], _ environment: [String] = ["PYTHONPATH=/src", "LANG=C.UTF-8"]) -> ZygoteKey {
            ZygoteKey(executable: "/usr/bin/python3.12", environment: environment.map { Array($0.utf8) },
                      options: options.map { Array($0.utf8) })
        }
        #expect(keyed([]) == key(["PYTHONPATH=/src", "LANG=C.UTF-8"]))
        #expect(keyed(["-u"]) == keyed([]))
        #expect(keyed(["-O"]) != keyed([]))
        #expect(keyed(["-O", "-O"]) != keyed(["-O"]))
        #expect(keyed(["-u", "-O", "-u"]).options == ["-O"])
        // A value of -W or -X is a value, whatever it spells.
        #expect(keyed(["-W", "-u", "-X", "-u"]).options == ["-W", "-u", "-X", "-u"])
        #expect(keyed(["-X", "dev"]).description == "/usr/bin/python3.12 -X dev [LANG=C.UTF-8 PYTHONPATH=/src]")
        // -E and -I make the interpreter ignore PYTHON* variables: they do not shape its zygote either.
        #expect(keyed(["-E"]).startupVariables == ["LANG=C.UTF-8"])
        #expect(keyed(["-s", "-I"]).startupVariables == ["LANG=C.UTF-8"])
        #expect(keyed(["-E"]) == keyed(["-E"], ["PYTHONPATH=/elsewhere", "LANG=C.UTF-8"]))
    }

    @Test(arguments: [
        ("PYTHONPATH", true), ("PYTHONHASHSEED", true), ("PYTHONDONTWRITEBYTECODE", true), ("PYTHON", true),
        ("LC_ALL", true), ("LC_CTYPE", true), ("LANG", true), ("LANGUAGE", true),
        ("PATH", false), ("HOME", false), ("LANGX", false), ("MYPYTHONPATH", false), ("lc_all", false),
        ("pythonpath", false), ("VIRTUAL_ENV", false),
    ])
    func startupVariablesAreThoseThatShapeTheInterpretersStart(name: String, isStartupVariable: Bool) {
        #expect(ZygoteKey.isStartupVariable(name) == isStartupVariable)
    }

    @Test func itemsWithoutAnEqualsSignAreIgnored() {
        #expect(key(["PYTHONPATH", "LANG", "garbage"]).startupVariables.isEmpty)
    }

    @Test func emptyValuesAndValuesWithEqualsSignsAreKeptWhole() {
        let environment = key(["PYTHONWARNINGS=", "PYTHONSTARTUP=/a=b.py", "HOME=/h"]).startupEnvironment
        #expect(environment == ["PYTHONWARNINGS": "", "PYTHONSTARTUP": "/a=b.py"])
    }

    @Test func theDescriptionNamesTheInterpreterAndItsVariables() {
        #expect(key([]).description == "/usr/bin/python3.12")
        let described = key(["PYTHONPATH=/src", "LANG=C", "HOME=/h"]).description
        #expect(described == "/usr/bin/python3.12 [LANG=C PYTHONPATH=/src]")
    }
}
