import Foundation
import Testing
import Engine

/// Initial reference noise: strength → start step; strength 1 = pure noise; strength 0 = the reference itself.
/// (Strengths 0.3 and 0.6 are compared with diffusers' img2img start in TrajectoryFixtureTests.)
@Suite struct ReferenceNoiseTests {
    static func noise(seed: UInt64) -> NoiseSource {
        var state = seed
        return { count in
            (0..<count).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
            }
        }
    }

    static func model(_ batch: ModelBatch) -> [[Float]] {
        [batch.input.map { 0.5 * $0 - Float(0.1 * batch.timestep / 1000) }]
    }

    /// diffusers img2img: init = min(int(n · s), n), start = n − init. n = 25: s = 0.6 → 15 → 10; s = 0.3 → 7 → 18.
    @Test func strengthChoosesTheStartStep() {
        let c = SamplerConfig()
        #expect(c.startStep(strength: 0.6, stepCount: 25) == 10)
        #expect(c.startStep(strength: 0.3, stepCount: 25) == 18)
        #expect(c.startStep(strength: 1, stepCount: 25) == 0)
        #expect(c.startStep(strength: 0, stepCount: 25) == 25)
    }

    @Test func strengthOneIsPureNoiseForEverySampler() throws {
        for kind in SamplerKind.allCases {
            var c = SamplerConfig()
            c.sampler = kind
            c.steps = 6
            let reference = [Float](repeating: 0.8, count: 12)
            let pure = try DenoisingLoop(sampler: c).run(frameCount: 2, elementsPerFrame: 6, noise: Self.noise(seed: 3),
                                                         model: Self.model)
            let one = try DenoisingLoop(sampler: c).run(frameCount: 2, elementsPerFrame: 6, noise: Self.noise(seed: 3),
                                                        reference: ReferenceStart(sample: reference, strength: 1),
                                                        model: Self.model)
            #expect(pure == one, "\(kind)")
            let lower = try DenoisingLoop(sampler: c).run(frameCount: 2, elementsPerFrame: 6, noise: Self.noise(seed: 3),
                                                          reference: ReferenceStart(sample: reference, strength: 0.5),
                                                          model: Self.model)
            #expect(lower != pure, "\(kind)")
        }
    }

    /// With zero terminal SNR, ᾱ_999 = 0, so the forward process at the first trailing step is the noise itself:
    /// √0 · x_ref + √1 · ε (DDIM) — the formula agrees that strength 1 is pure noise.
    @Test func zeroTerminalSNRForwardProcessAtTheFirstStepIsTheNoise() throws {
        var c = SamplerConfig()
        c.sampler = .ddim
        let sampler = try c.makeSampler()
        let eps: [Float] = [0.3, -1.2, 2.0]
        #expect(sampler.addNoise(to: [0.9, 0.9, -0.9], noise: eps, step: 0) == eps)
    }

    @Test func strengthZeroReturnsTheReferenceWithoutCallingTheModel() throws {
        let reference: [Float] = [0.1, 0.2, 0.3, 0.4]
        var calls = 0
        let out = try DenoisingLoop(sampler: SamplerConfig()).run(
            frameCount: 1, elementsPerFrame: 4, noise: Self.noise(seed: 1),
            reference: ReferenceStart(sample: reference, strength: 0), model: { b in calls += 1; return [b.input] })
        #expect(out == reference)
        #expect(calls == 0)
    }

    @Test func badReferencesAreRejected() {
        #expect(throws: SamplingError.self) {
            _ = try DenoisingLoop(sampler: SamplerConfig()).run(
                frameCount: 1, elementsPerFrame: 4, noise: Self.noise(seed: 1),
                reference: ReferenceStart(sample: [0, 0], strength: 0.5), model: Self.model)
        }
        #expect(throws: SamplingError.self) {
            _ = try DenoisingLoop(sampler: SamplerConfig()).run(
                frameCount: 1, elementsPerFrame: 4, noise: Self.noise(seed: 1),
                reference: ReferenceStart(sample: [0, 0, 0, 0], strength: -0.5), model: Self.model)
        }
        #expect(throws: SamplingError.self) {
            _ = try DenoisingLoop(sampler: SamplerConfig()).run(
                frameCount: 1, elementsPerFrame: 4, noise: Self.noise(seed: 1),
                reference: ReferenceStart(sample: [0, 0, 0, 0], strength: .nan), model: Self.model)
        }
    }
}
