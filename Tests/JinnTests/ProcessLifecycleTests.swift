import Foundation
import Jinn
import Testing

/// Starting, talking to, waiting for and stopping processes.
@Suite(.serialized)
struct ProcessLifecycleTests {
    @Test func outputStreamsAsBytesAndLinesAndStdinIsWritable() async throws {
        var options = LaunchOptions()
        options.standardInput = .pipe
        let process = try await PythonProcess.start(PythonProgram(main: """
            import sys
            for line in sys.stdin:
                print("echo:", line.strip())
                print("err:", line.strip(), file=sys.stderr)
            sys.stdout.buffer.write(bytes([0, 255]))
            """), interpreter: try await systemPython(), options: options)
        async let errors = process.standardError.lines.reduce(into: [String]()) { $0.append($1) }
        try await process.writeToStandardInput("one\ntwo\n")
        process.closeStandardInput()
        let output = await process.standardOutput.collect()
        #expect(output == Array("echo: one\necho: two\n".utf8) + [0, 255])
        #expect(await errors == ["err: one", "err: two"])
        #expect(await process.wait() == .exited(0))
        await #expect(throws: JinnError.self) { try await process.writeToStandardInput("late") }
    }

    @Test func largeOutputAndInputFlowWithoutDeadlock() async throws {
        var options = LaunchOptions()
        options.standardInput = .pipe
        let process = try await PythonProcess.start(
            .code("import sys; data = sys.stdin.buffer.read(); sys.stdout.buffer.write(data * 4)"),
            interpreter: try await systemPython(), options: options)
        let input = [UInt8](repeating: 7, count: 3 << 20)
        async let output = process.standardOutput.collect()
        try await process.writeToStandardInput(input)
        process.closeStandardInput()
        #expect(await output.count == input.count * 4)
        #expect(await process.wait() == .exited(0))
    }

    @Test func messagesFlowBothWays() async throws {
        let process = try await PythonProcess.start(PythonProgram(main: """
            import jinn
            while True:
                value = jinn.receive(timeout=10)
                if value is None:
                    break
                jinn.send({"doubled": value * 2})
            """), interpreter: try await systemPython())
        var replies = process.messages.makeAsyncIterator()
        for value in [1, 20, 300] {
            try process.send(.int(value))
            #expect(await replies.next() == ["doubled": .int(value * 2)])
        }
        try process.send(.none)
        #expect(await process.wait() == .exited(0))
        #expect(throws: JinnError.self) { try process.send(1) }
    }

    @Test func terminateSendsTermThenKillAfterTheGracePeriod() async throws {
        let python = try await systemPython()
        let polite = try await PythonProcess.start(
            PythonProgram(main: "import jinn, time\njinn.send(1)\ntime.sleep(60)\n"), interpreter: python)
        var first = polite.messages.makeAsyncIterator()
        _ = await first.next()
        #expect(await polite.terminate() == .signaled(SIGTERM))

        let stubborn = try await PythonProcess.start(PythonProgram(main: """
            import jinn, signal, time
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            jinn.send(1)
            time.sleep(60)
            """), interpreter: python)
        var second = stubborn.messages.makeAsyncIterator()
        _ = await second.next()
        #expect(await stubborn.terminate(gracePeriod: .milliseconds(200)) == .signaled(SIGKILL))
    }

    @Test func cancellingTheWaitingTaskTerminatesTheProcess() async throws {
        var options = LaunchOptions()
        options.terminationGracePeriod = .milliseconds(500)
        let process = try await PythonProcess.start(
            PythonProgram(main: "import jinn, time\njinn.send(1)\ntime.sleep(60)\n"),
            interpreter: try await systemPython(), options: options)
        var messages = process.messages.makeAsyncIterator()
        _ = await messages.next()
        let waiter = Task { await process.wait() }
        waiter.cancel()
        #expect(await waiter.value == .signaled(SIGTERM))
    }

    @Test func droppingTheLastReferenceKillsTheProcess() async throws {
        var pid: Int32 = 0
        do {
            let process = try await PythonProcess.start(
                PythonProgram(main: "import jinn, time\njinn.send(1)\ntime.sleep(60)\n"),
                interpreter: try await systemPython())
            pid = process.processIdentifier
            var messages = process.messages.makeAsyncIterator()
            _ = await messages.next()
        }
        #expect(await eventually(within: 5) { !processExists(pid) })
    }

    @Test func aDeadChildIsNoticedAtOnceAndLeavesNoZombie() async throws {
        let process = try await PythonProcess.start(.code("import os; os._exit(9)"), interpreter: try await systemPython())
        #expect(await process.wait() == .exited(9))
        #expect(!processExists(process.processIdentifier))
        #expect(process.termination == .exited(9))
    }

    @Test func inheritedAndDiscardedOutputLeaveTheStreamsEmpty() async throws {
        var options = LaunchOptions()
        options.standardOutput = .null
        options.standardError = .null
        let process = try await PythonProcess.start(.code("print('gone')"), interpreter: try await systemPython(), options: options)
        #expect(await process.standardOutput.collect().isEmpty)
        #expect(await process.wait() == .exited(0))
    }

    @Test func aMissingWorkingDirectoryIsALaunchErrorNamingIt() async throws {
        var program = PythonProgram.code("pass")
        program.workingDirectory = "/nonexistent/jinn-test-directory"
        await #expect {
            _ = try await PythonProcess.start(program, interpreter: try await systemPython())
        } throws: { error in
            "\(error)".contains("/nonexistent/jinn-test-directory")
        }
    }

    @Test func startingAndStoppingFiveHundredProcessesLeaksNoDescriptor() async throws {
        let python = try await systemPython()
        let program = PythonProgram.code("pass")
        // One round first, so that lazily created process-wide descriptors exist before counting.
        _ = await (try await PythonProcess.start(program, interpreter: python)).wait()
        let before = try openDescriptorCount()
        for round in 0..<500 {
            let process = try await PythonProcess.start(program, interpreter: python)
            if round % 2 == 0 {
                #expect(await process.wait() == .exited(0))
            } else {
                await process.terminate(gracePeriod: .seconds(1))
            }
        }
        // Reader threads close their ends a moment after the process ends. Other suites run in parallel in this
        // process and open descriptors of their own for a while, hence a generous window and "no more than".
        #expect(await eventually(within: 30) { (try? openDescriptorCount()).map { $0 <= before } ?? false })
    }

    @Test func jinnLeavesTheHostsSignalHandlingAlone() async throws {
        func disposition(_ signal: Int32) -> UInt {
            var action = sigaction()
            sigaction(signal, nil, &action)
            return unsafeBitCast(action.__sigaction_handler.sa_handler, to: UInt.self)
        }
        let before = [SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP].map(disposition)
        let outcome = try await runToEnd(.code("print('ok')"))
        #expect(outcome.standardOutput == "ok\n")
        #expect([SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP].map(disposition) == before)
    }
}

/// The scoped form owns its process.
struct ScopedProcessTests {
    @Test func theProcessIsGoneWhenTheScopeEnds() async throws {
        var pid: Int32 = 0
        let first = try await PythonProcess.run(
            PythonProgram(main: "import jinn, time\njinn.send('hi')\ntime.sleep(60)\n"),
            interpreter: try await systemPython()
        ) { process in
            pid = process.processIdentifier
            var messages = process.messages.makeAsyncIterator()
            return await messages.next()
        }
        #expect(first == "hi")
        #expect(!processExists(pid))
    }

    @Test func cancellingTheOwningTaskTerminatesTheProcess() async throws {
        let python = try await systemPython()
        let started = AsyncStream<Int32>.makeStream()
        let task = Task {
            try await PythonProcess.run(PythonProgram(main: "import jinn, time\njinn.send(1)\ntime.sleep(60)\n"),
                                        interpreter: python) { process in
                var messages = process.messages.makeAsyncIterator()
                _ = await messages.next()
                started.continuation.yield(process.processIdentifier)
                return await process.wait()
            }
        }
        var pids = started.stream.makeAsyncIterator()
        let pid = try #require(await pids.next())
        task.cancel()
        #expect(try await task.value == .signaled(SIGTERM))
        #expect(!processExists(pid))
    }
}
