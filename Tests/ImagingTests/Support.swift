import Foundation
import Imaging

/// Locations of test fixtures and the repository, found from this file's path (tests run from any directory).
enum ImagingTestSupport {
    /// The repository root.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `Tests/ImagingTests/Fixtures`.
    static let fixtures: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// A fresh empty temporary directory for one test.
    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("zoetrope-ImagingTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

// MARK: - Fixture files

extension ImagingTestSupport {
    /// Reads `Fixtures/<name>` (a binary PPM written by tools/reference/imaging_fixtures.py).
    static func image(_ name: String) throws -> RGBImage {
        try RGBImage(contentsOfPPM: fixtures.appendingPathComponent(name))
    }

    /// Decodes `Fixtures/<name>` (JSON written by tools/reference/imaging_fixtures.py).
    static func json<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    /// A deterministic pseudo-random image (SplitMix64), for property tests.
    static func noiseImage(width: Int, height: Int, seed: UInt64) -> RGBImage {
        var state = seed
        var bytes = [UInt8](repeating: 0, count: width * height * 3)
        for i in bytes.indices {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            bytes[i] = UInt8(truncatingIfNeeded: z ^ (z >> 31))
        }
        return RGBImage(width: width, height: height, pixels: bytes)
    }
}

/// `Fixtures/metrics.json`.
struct MetricsFixture: Decodable {
    struct Pair: Decodable {
        let reference: String, distorted: String
        let l1: Double, psnr: Double, ssim: Double
    }
    struct Region: Decodable {
        let reference: String, distorted: String
        let x: Int, y: Int, width: Int, height: Int
        let l1: Double, psnr: Double, ssim: Double
    }
    struct Masked: Decodable {
        let reference: String, distorted: String, mask: String
        let cx: Double?, cy: Double?, r: Double?
        let l1: Double, psnr: Double
    }
    struct SSIMMap: Decodable {
        let reference: String, distorted: String
        let x: Int, y: Int, width: Int, height: Int
        let ssim: Double
        let map_hwc: [Double]
    }
    let pairs: [Pair]
    let regions: [Region]
    let masked: [Masked]
    let ssim_map: SSIMMap
    let gaussian_kernel: [Double]
}

/// `Fixtures/resize.json`.
struct ResizeFixture: Decodable {
    struct Case: Decodable { let filter: String, width: Int, height: Int, file: String }
    struct Fit: Decodable {
        let mode: String, source_crop: [Int], side: Int, filter: String, fill: [Int], file: String
    }
    let source: String
    let cases: [Case]
    let fits: [Fit]
}
