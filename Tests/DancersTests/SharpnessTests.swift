import Foundation
import Testing
import Dancers

/// Reference values: `python tools/reference/dancers_sharpness.py` (scipy.ndimage.laplace, numpy var,
/// scipy.stats.spearmanr) → Fixtures/sharpness_reference.json.
@Suite struct SharpnessTests {
    struct Reference: Decodable {
        struct Patch: Decodable { let width: Int; let height: Int; let rgb: [UInt8]; let raw: Double }
        struct Rank: Decodable { let a: [Double]; let b: [Double]; let rho: Double }
        let patches: [Patch]
        let spearman: Rank
    }

    static func reference() throws -> Reference {
        let url = DancersTestSupport.fixtures.appendingPathComponent("sharpness_reference.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    @Test func normalisedLaplacianVarianceMatchesScipy() throws {
        for p in try Self.reference().patches {
            let view = RGBImageView(width: p.width, height: p.height, bytes: p.rgb)
            let raw = try #require(Sharpness.measure(view, x0: 0, y0: 0, x1: p.width, y1: p.height))
            #expect(abs(Double(raw) - p.raw) / p.raw < 1e-4, "\(raw) vs \(p.raw)")
        }
    }

    @Test func spearmanMatchesScipyWithTies() throws {
        let r = try Self.reference().spearman
        #expect(abs(Statistics.spearman(r.a, r.b) - r.rho) < 1e-9)
    }

    @Test func tinyOrOffscreenCropsAreNotMeasured() {
        let view = RGBImageView(width: 8, height: 8, bytes: [UInt8](repeating: 100, count: 192))
        #expect(Sharpness.measure(view, x0: 0, y0: 0, x1: 4, y1: 4) == nil)
        #expect(Sharpness.measure(view, x0: 20, y0: 20, x1: 30, y1: 30) == nil)
        #expect(Sharpness.cue(raw: nil) == 1)
        #expect(Sharpness.cue(raw: 0) == 0)
    }
}
