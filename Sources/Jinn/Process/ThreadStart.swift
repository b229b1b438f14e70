import CJinn
import Foundation

extension Thread {
    /// Starts a thread that runs `body`, named `name` where `ps -L`, `top -H` and debuggers show it (Foundation
    /// keeps a name set before the start to itself on Linux).
    static func start(named name: String, stackSize: Int, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            jinn_name_thread(name)
            body()
        }
        thread.name = name
        thread.stackSize = stackSize
        thread.start()
    }
}
