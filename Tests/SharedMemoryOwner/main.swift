// A Swift program that owns named shared memory, as a user's program does, for tests that kill it or its Python
// child: `jinn-shared-memory-owner NAME` creates the array NAME, the semaphore NAME-s and the event NAME-e, starts
// a Python process that opens all three, prints "ready PID" (the Python process's), and exits normally when its
// standard input ends.
import Foundation
import Jinn

let name = CommandLine.arguments[1]
let array = try SharedArray<Double>(shape: [8], name: name)
let semaphore = try SharedSemaphore(creating: name + "-s")
let event = try SharedEvent(creating: name + "-e")
array[7] = 7
let program = PythonProgram.server(setup: """
    import jinn
    array = jinn.shared_array(\(String(reflecting: name)))
    semaphore = jinn.SharedSemaphore(\(String(reflecting: name + "-s")))
    event = jinn.SharedEvent(\(String(reflecting: name + "-e")))
    assert array[7] == 7
    """)
let python = try await PythonProcess.start(program)
FileHandle.standardOutput.write(Data("ready \(python.processIdentifier)\n".utf8))
while readLine() != nil {}
withExtendedLifetime((array, semaphore, event, python)) {}
