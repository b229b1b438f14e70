// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Jinn",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Jinn", targets: ["Jinn"]),
        .library(name: "JinnDaemon", targets: ["JinnDaemon"]),
        .executable(name: "jinn", targets: ["jinn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // What Swift's Glibc module hides: SCM_RIGHTS macros, pipe2, close_range, a fork/exec that sets the
        // parent-death signal.
        .target(name: "CJinn"),

        // Framing and the marshal codec shared by the library, the daemon and the client.
        .target(name: "JinnWire"),

        // The library: interpreters, programs held in memory, the bootstrap and the process lifecycle.
        .target(
            name: "Jinn",
            dependencies: [
                "CJinn", "JinnWire",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Python"],
            plugins: ["EmbedPython"]
        ),

        // The script runner's daemon: socket server, zygotes, sessions, configuration.
        .target(
            name: "JinnDaemon",
            dependencies: [
                "Jinn", "JinnWire", "CJinn",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The command line: the script runner's client fast path and the administrative subcommands.
        .executableTarget(
            name: "jinn",
            dependencies: [
                "Jinn", "JinnWire", "CJinn", "JinnDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // The client starts on every script run: a position-dependent executable skips the dynamic loader's
            // relocation of its large data (about 0.8 ms of an 8 ms run with the static standard library).
            linkerSettings: [.unsafeFlags(["-Xlinker", "-no-pie"], .when(platforms: [.linux], configuration: .release))]
        ),

        // Side-by-side timings against baselines measured in the same run.
        .executableTarget(name: "jinn-benchmark", dependencies: ["Jinn", "JinnWire"], path: "Sources/JinnBenchmarks"),

        // Build-time embedding of the Python package into the library.
        .executableTarget(name: "JinnEmbedTool"),
        .plugin(name: "EmbedPython", capability: .buildTool(), dependencies: ["JinnEmbedTool"]),

        .testTarget(name: "JinnWireTests", dependencies: ["JinnWire"]),
        .testTarget(
            name: "JinnTests",
            dependencies: ["Jinn", "JinnWire", "CJinn"],
            resources: [.copy("Fixtures/resourcepkg")]
        ),
        .testTarget(name: "JinnDaemonTests", dependencies: ["JinnDaemon", "JinnWire", "Jinn"]),
        .testTarget(name: "JinnCommandTests", dependencies: ["Jinn", "JinnDaemon", "JinnWire", "CJinn", "jinn"]),
    ]
)
