import Foundation
import Testing
import Engine

/// Classifier-free guidance: pass layout, combination formula, per-frame ramp, rescale, one batch per step.
@Suite struct GuidanceTests {
    @Test func animationCFGKeepsThePoseAndDropsTheReferenceInTheUnconditionalPass() {
        let g = GuidanceConfig.animation(referenceScale: .constant(2), promptScale: .constant(3))
        #expect(g.passes == [[.pose], [.pose, .reference], [.pose, .reference, .prompt]])
        #expect(GuidanceConfig.plain(scale: .constant(5)).passes == [[], [.reference, .pose, .prompt]])
        #expect(GuidanceConfig.none.passes == [[.reference, .pose, .prompt]])
        #expect(GuidanceConfig().passes.first == [.pose])
    }

    /// out = u + w_ref (c_ref − u) + w_prompt (c_full − c_ref): u = 1, c_ref = 3, c_full = 4, w = (2, 0.5)
    /// → 1 + 2·2 + 0.5·1 = 5.5 (second value: −1 + 2·2 + 0.5·(−1) = 2.5); plain CFG u + w (c − u) with u = 1, c = 4, w = 7.5 → 23.5.
    @Test func combinationFollowsTheFormula() {
        let g = GuidanceConfig.animation(referenceScale: .constant(2), promptScale: .constant(0.5))
        #expect(g.combine([[1, -1], [3, 1], [4, 0]], frameCount: 1) == [5.5, 2.5])
        let plain = GuidanceConfig.plain(scale: .constant(7.5))
        #expect(plain.combine([[1], [4]], frameCount: 1) == [23.5])
    }

    /// Equal reference and prompt scales telescope to one term: u + w(c_ref − u) + w(c_full − c_ref) = u + w(c_full − u),
    /// so two passes give the three-pass result (a wrong collapse, e.g. dropping the pose from u, changes the passes).
    @Test func equalAnimationScalesRunTwoPassesWithTheSameResult() {
        let w = GuidanceScale.ramp(from: 1.5, to: 3)
        let collapsed = GuidanceConfig.animation(referenceScale: w, promptScale: w, rescale: 0.3)
        let explicit = GuidanceConfig(base: [.pose], terms: [GuidanceTerm([.reference], scale: w), GuidanceTerm([.prompt], scale: w)], rescale: 0.3)
        #expect(collapsed.passes == [[.pose], [.pose, .reference, .prompt]])
        var rng = Philox(seed: 5)
        let u = rng.normal([12]).values, cRef = rng.normal([12]).values, cFull = rng.normal([12]).values
        let a = collapsed.combine([u, cFull], frameCount: 3), b = explicit.combine([u, cRef, cFull], frameCount: 3)
        for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-5 * max(1, abs(y))) }
    }

    /// MimicMotion ramp: w_f = linspace(1, 3) over 5 frames = 1, 1.5, 2, 2.5, 3; with u = 0, c = 1 the output is w_f.
    @Test func perFrameRampIsALinspaceOverFrames() {
        let g = GuidanceConfig.plain(scale: .ramp(from: 1, to: 3))
        let u = [Float](repeating: 0, count: 10), c = [Float](repeating: 1, count: 10)
        #expect(g.combine([u, c], frameCount: 5) == [1, 1, 1.5, 1.5, 2, 2, 2.5, 2.5, 3, 3])
    }

    /// Guidance rescale: out' = (φ σ_c/σ_out + 1 − φ) out, so std(out') = φ σ_c + (1 − φ) σ_out.
    @Test func rescaleMovesTheStandardDeviationTowardTheConditionedPass() {
        let u: [Float] = [0, 1, 2, 3, 4, 5], c: [Float] = [1, 0, 3, 2, 5, 4]
        for phi in [0.0, 0.7, 1.0] {
            var g = GuidanceConfig.plain(scale: .constant(5))
            g.rescale = phi
            let raw = GuidanceConfig.plain(scale: .constant(5)).combine([u, c], frameCount: 1)
            let out = g.combine([u, c], frameCount: 1)
            let std = { (v: [Float]) in GuidanceTestsMath.std(v.map(Double.init)) }
            #expect(abs(std(out) - (phi * std(c) + (1 - phi) * std(raw))) < 1e-5, "phi \(phi)")
        }
    }

    @Test func everyPassGoesToTheModelAsOneBatchPerStep() throws {
        var config = SamplerConfig()
        config.steps = 4
        let guidance = GuidanceConfig.animation(referenceScale: .constant(2), promptScale: .constant(1.5))
        var calls = 0
        let result = try DenoisingLoop(sampler: config, guidance: guidance).run(
            frameCount: 2, elementsPerFrame: 3, noise: { [Float](repeating: 0.5, count: $0) },
            model: { batch in
                calls += 1
                #expect(batch.conditions == guidance.passes)
                #expect(batch.frames == [0, 1])
                // Each pass answers differently so guidance has something to combine.
                return batch.conditions.map { set in batch.input.map { $0 * Float(set.count + 1) / 10 } }
            })
        #expect(calls == 4)
        #expect(result?.allSatisfy(\.isFinite) == true)
    }

    @Test func badGuidanceIsRejected() {
        var g = GuidanceConfig()
        g.rescale = 1.5
        #expect(throws: SamplingError.self) { try g.validate() }
    }
}

enum GuidanceTestsMath {
    static func std(_ v: [Double]) -> Double {
        let mean = v.reduce(0, +) / Double(v.count)
        return (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1)).squareRoot()
    }
}
