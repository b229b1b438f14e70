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
