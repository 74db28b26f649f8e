// swift-tools-version:6.0
// Zoetrope — a terminal studio that animates a still picture of a person.
// Module layering (each imports only modules below it): see README.md and docs/DECISIONS.md.
import PackageDescription

/// Release builds of the numeric modules are worthless without these; debug builds keep them too so tests run fast.
let fastMath: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
    name: "Zoetrope",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "zoetrope", targets: ["zoetrope"]),
        .executable(name: "fuzz-safetensors", targets: ["FuzzSafetensors"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - C libraries (Debian -dev packages), module maps + header-only shims
        .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw",
                       providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat libavcodec libswscale libavutil",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),

        // MARK: - Swift modules
        .target(name: "Imaging", swiftSettings: fastMath),
        .target(name: "Engine", dependencies: ["Imaging", "COpenBLAS"], swiftSettings: fastMath),
        .target(name: "Dancers", dependencies: ["Imaging"], swiftSettings: fastMath),
        .target(name: "Media", dependencies: ["Imaging", "Engine", "Dancers", "CPNG", "CFFmpeg"], swiftSettings: fastMath),
        .target(name: "Preview", dependencies: ["Imaging"], swiftSettings: fastMath),
        .target(name: "TUI", dependencies: ["Imaging", "Engine", "Dancers", "Media", "Preview", "CNcursesw"], swiftSettings: fastMath),
        .executableTarget(
            name: "zoetrope",
            dependencies: [
                "Imaging", "Engine", "Dancers", "Media", "Preview", "TUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fastMath),
        // libFuzzer target for the safetensors header parser (`make fuzz`); a plain build replays files.
        .executableTarget(name: "FuzzSafetensors", dependencies: ["Engine"]),

        // MARK: - Tests
        // Fixtures live beside the tests and are found through #filePath (see each target's Support.swift).
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], exclude: ["Fixtures"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine"], exclude: ["Fixtures", "Sampling/Fixtures"]),
        .testTarget(name: "DancersTests", dependencies: ["Dancers", "Imaging"], exclude: ["Fixtures"]),
        .testTarget(name: "MediaTests", dependencies: ["Media", "Imaging", "Engine", "Dancers"], exclude: ["Fixtures"]),
        .testTarget(name: "PreviewTests", dependencies: ["Preview", "Imaging"], exclude: ["Fixtures"]),
        .testTarget(name: "TUITests", dependencies: ["TUI", "Media", "Engine", "Imaging", "Preview"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Imaging", "Media"]),
    ],
    swiftLanguageModes: [.v6]
)
