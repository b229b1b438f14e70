// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Jinn",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Jinn", targets: ["Jinn"]),
        .library(name: "JinnDaemon", targets: ["JinnDaemon"]),
        .executable(name: "jinn", targets: ["jinn"]),
        .executable(name: "jinn-tool", targets: ["jinn-tool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // What Swift's C modules hide: SCM_RIGHTS macros, close-on-exec pipes and sockets, a fork/exec that sets the
        // parent-death signal. Each platform's calls are in shim+Linux.c and shim+Darwin.c.
        .target(name: "CJinn"),

        // The system layer of the library, the daemon and the client, without Foundation: owned descriptors,
        // errno and its text, calls retried after EINTR, C string arrays, the PATH search and the file system
        // calls, with each platform's code in its own file.
        .target(name: "JinnSystem", dependencies: ["CJinn"]),

        // Framing and the marshal codec shared by the library, the daemon and the client.
        .target(name: "JinnWire"),

        // The library: interpreters, programs held in memory, the bootstrap and the process lifecycle.
        .target(
            name: "Jinn",
            dependencies: ["CJinn", "JinnSystem", "JinnWire"],
            exclude: ["Python"],
            plugins: ["EmbedPython"]
        ),

        // What the daemon shares with its client, without Foundation: configuration, the socket directory, framed
        // socket messages, the build identity and starting a daemon.
        .target(name: "JinnDaemonCore", dependencies: ["CJinn", "JinnSystem", "JinnWire"]),

        // The script runner's daemon: listener, connections, runs and sessions, the zygote pool, interpreters,
        // configuration reloads, administration and shutdown.
        .target(
            name: "JinnDaemon",
            dependencies: [
                "Jinn", "JinnWire", "CJinn", "JinnDaemonCore", "JinnSystem",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The `jinn` command: the script runner's client, on every run's start-up path, so it links neither
        // Foundation nor ArgumentParser. Any other command line is handed to `jinn-tool`, installed beside it.
        // (An executable target that depended on `jinn-tool` would link all of the tool's libraries.)
        .executableTarget(
            name: "jinn",
            dependencies: ["CJinn", "JinnSystem", "JinnWire", "JinnDaemonCore"],
            // A fully static executable starts without the dynamic loader: about 0.8 ms less on every run.
            linkerSettings: [.unsafeFlags(["-static-executable"], .when(platforms: [.linux], configuration: .release))]
        ),

        // The subcommands (`exec`, `python`, `env`, `repl`, `daemon`, `sessions`, `kill`) and the daemon itself.
        .executableTarget(
            name: "jinn-tool",
            dependencies: [
                "Jinn", "JinnWire", "JinnSystem", "JinnDaemon", "JinnDaemonCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/JinnTool"
        ),

        // Side-by-side timings against baselines measured in the same run.
        .executableTarget(
            name: "jinn-benchmark", dependencies: ["Jinn", "JinnWire", "JinnSystem"], path: "Sources/JinnBenchmarks"),

        // Build-time embedding of the Python package into the library.
        .executableTarget(name: "JinnEmbedTool"),
        .plugin(name: "EmbedPython", capability: .buildTool(), dependencies: ["JinnEmbedTool"]),

        .testTarget(name: "JinnWireTests", dependencies: ["JinnWire"]),
        .testTarget(name: "JinnSystemTests", dependencies: ["JinnSystem"]),
        .testTarget(
            name: "JinnTests",
            dependencies: ["Jinn", "JinnWire", "CJinn", "JinnTestSupport"],
            resources: [.copy("Fixtures/resourcepkg")]
        ),
        // Helpers the library's tests share; they use nothing but `Jinn`.
        .target(name: "JinnTestSupport", dependencies: ["Jinn"], path: "Tests/JinnTestSupport"),
        // The library as a user's package meets it: these tests import only `Jinn`, and hold the README's examples.
        // A Swift program owning named shared memory, which the user tests kill.
        .executableTarget(name: "jinn-shared-memory-owner", dependencies: ["Jinn"], path: "Tests/SharedMemoryOwner"),
        .testTarget(
            name: "JinnUserTests",
            dependencies: ["Jinn", "JinnTestSupport", "jinn-shared-memory-owner"],
            resources: [.copy("Fixtures/analysis")],
            swiftSettings: [.unsafeFlags(["-warnings-as-errors"])]
        ),
        .testTarget(name: "JinnDaemonCoreTests", dependencies: ["JinnDaemonCore", "JinnSystem", "JinnWire", "CJinn"]),
        // The daemon's parts on their own: zygote processes are scripted, so no Python runs.
        .testTarget(
            name: "JinnDaemonTests",
            dependencies: [
                "JinnDaemon", "JinnDaemonCore", "JinnSystem", "Jinn", "JinnWire", "CJinn",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "JinnCommandTests",
            dependencies: ["Jinn", "JinnDaemonCore", "JinnSystem", "JinnWire", "CJinn", "jinn", "jinn-tool"]
        ),
    ]
)
