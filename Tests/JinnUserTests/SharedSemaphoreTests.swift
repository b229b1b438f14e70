import Foundation
import Jinn
import Testing

/// Named semaphores, locks and events between Swift and Python.
@Suite struct SharedSemaphoreTests {
    static let module = """
        import jinn, time

        def release(name, times=1):
            semaphore = jinn.SharedSemaphore(name)
            for _ in range(times):
                semaphore.release()
            return True

        def acquire(name, timeout):
            start = time.monotonic()
            taken = jinn.SharedSemaphore(name).acquire(timeout)
            return [taken, time.monotonic() - start >= timeout if not taken else True]

        def count_under_lock(lock_name, array_name, times):
            lock = jinn.SharedLock(lock_name)
            counter = jinn.shared_array(array_name)
            for _ in range(times):
                with lock:
                    counter[0] += 1
            return True

        def set_event(name):
            jinn.SharedEvent(name).set()
            return True

        def wait_event(name, timeout):
            event = jinn.SharedEvent(name)
            return [event.wait(timeout), event.is_set()]

        def clear_event(name):
            jinn.SharedEvent(name).clear()
            return True
        """

    @Test func semaphoresSignalBothWays() async throws {
        let python = try await startServer(module: Self.module)
        defer { python.kill() }
        let name = "jinn-sem-\(getpid())"
        let semaphore = try SharedSemaphore(creating: name)
        #expect(try await semaphore.wait(timeout: .milliseconds(30)) == false)
        #expect(try await python.call("user.release", name, 2, as: Bool.self))
        #expect(try await semaphore.wait(timeout: .milliseconds(30)))
        #expect(semaphore.tryWait())
        #expect(!semaphore.tryWait())
        // Python waits with a sub-second timeout, runs out, then takes what Swift signals.
        #expect(try await python.call("user.acquire", name, 0.05) == [false, true])
        try semaphore.signal()
        #expect(try await python.call("user.acquire", name, 0.05) == [true, true])
        // A wait that another process ends before its timeout.
        async let waited = semaphore.wait(timeout: .seconds(30))
        #expect(try await python.call("user.release", name, as: Bool.self))
        #expect(try await waited)
    }

    @Test func aLockKeepsBothSidesCountingRight() async throws {
        let python = try await startServer(module: Self.module)
        defer { python.kill() }
        let lockName = "jinn-lock-\(getpid())", arrayName = "jinn-count-\(getpid())"
        let lock = try SharedLock(creating: lockName)
        let counter = try SharedArray<Int64>(shape: [1], name: arrayName)
        async let python1000 = python.call("user.count_under_lock", lockName, arrayName, 1000, as: Bool.self)
        for _ in 0..<300 {
            let value = try await lock.withLock(timeout: .seconds(30)) { () -> Int64 in
                counter[0] += 1
                return counter[0]
            }
            #expect(value != nil)
        }
        #expect(try await python1000)
        #expect(counter[0] == 1300)
        #expect(try await lock.lock(timeout: .milliseconds(10)))
        let second = try SharedLock(opening: lockName)
        #expect(try await second.lock(timeout: .milliseconds(20)) == false)  // held: runs out
        try lock.unlock()
        #expect(try await second.lock(timeout: .milliseconds(20)))
        try second.unlock()
    }

    @Test func eventsAreSeenFromBothSides() async throws {
        let python = try await startServer(module: Self.module)
        defer { python.kill() }
        let name = "jinn-event-\(getpid())"
        let event = try SharedEvent(creating: name)
        #expect(!event.isSet)
        #expect(try await python.call("user.wait_event", name, 0.02) == [false, false])
        #expect(try await event.wait(timeout: .milliseconds(20)) == false)
        #expect(try await python.call("user.set_event", name, as: Bool.self))
        #expect(event.isSet)
        #expect(try await event.wait(timeout: .milliseconds(20)))
        #expect(try await event.wait(timeout: .milliseconds(20)))  // waiting does not clear it
        #expect(try await python.call("user.wait_event", name, 0.02) == [true, true])
        try event.set()
        try event.set()  // setting twice leaves it set once
        #expect(try await python.call("user.clear_event", name, as: Bool.self))
        #expect(!event.isSet)
        async let woken = python.call("user.wait_event", name, 30.0)
        try await Task.sleep(for: .milliseconds(50))
        try event.set()
        #expect(try await woken == [true, true])
    }
}
