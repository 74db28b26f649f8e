import Foundation
import Engine

/// Fixtures of the sampling tests (`Tests/EngineTests/Sampling/Fixtures`), found through this file's path.
enum SamplingTestSupport {
    /// The repository root.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `Tests/EngineTests/Sampling/Fixtures`.
    static let fixtures: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// Decodes a fixture file.
    static func load<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// Relative error with an absolute floor: |a − b| / max(|b|, floor / 1e-6)... expressed as the test's criterion:
    /// passes when |a − b| ≤ max(relative · |b|, absolute).
    static func within(_ a: Double, _ b: Double, relative: Double, absolute: Double) -> Bool {
        abs(a - b) <= max(relative * abs(b), absolute)
    }

    /// Relative error |a − b| / |b| (absolute error when b = 0).
    static func relativeError(_ a: Double, _ b: Double) -> Double {
        b == 0 ? abs(a) : abs(a - b) / abs(b)
    }
}
