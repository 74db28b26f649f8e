import Foundation
import Testing
import Engine

/// Properties of the samplers and their configuration that a wrong implementation would break.
@Suite struct SamplerBehaviourTests {
    static func seeded(_ seed: UInt64) -> NoiseSource {
        var state = seed
        return { count in
            (0..<count).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                // Irwin–Hall approximation of N(0, 1): sum of 12 uniforms − 6.
                var sum: Float = 0
                for _ in 0..<12 {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    sum += Float(state >> 40) / Float(1 << 24)
                }
                return sum - 6
            }
        }
    }

    static func model(_ batch: ModelBatch) -> [[Float]] {
        [batch.input.map { 0.5 * $0 - Float(0.1 * batch.timestep / 1000) }]
    }

    @Test func seededRunsAreDeterministicAndSeedsMatter() throws {
        for kind in SamplerKind.allCases {
            var c = SamplerConfig()
            c.sampler = kind
            c.steps = 8
            if kind == .ddim { c.eta = 1 }
            let loop = DenoisingLoop(sampler: c)
            let a = try loop.run(frameCount: 2, elementsPerFrame: 8, noise: Self.seeded(42), model: Self.model)
            let b = try loop.run(frameCount: 2, elementsPerFrame: 8, noise: Self.seeded(42), model: Self.model)
            let other = try loop.run(frameCount: 2, elementsPerFrame: 8, noise: Self.seeded(43), model: Self.model)
            #expect(a == b, "\(kind)")
            #expect(a != other, "\(kind)")
        }
    }

    @Test func cancellingStopsAfterTheStep() throws {
        var calls = 0
        var previews: [Int] = []
        let result = try DenoisingLoop(sampler: SamplerConfig()).run(
            frameCount: 1, elementsPerFrame: 4, noise: Self.seeded(1),
            model: { calls += 1; return Self.model($0) },
            onStep: { previews.append($0.step); return $0.step < 2 })
        #expect(result == nil)
        #expect(calls == 3 && previews == [0, 1, 2])
    }

    /// The last x0 preview of a deterministic sampler is the final sample (DPM-Solver++'s last step is x0 itself with
    /// final σ = 0; DDIM's when its last step reaches ᾱ_prev = 1, which needs leading spacing: with trailing, the
    /// last timestep 166 minus 1000 // 6 = 166 is timestep 0, so diffusers' DDIM ends at ᾱ_0 = 0.99915, not 1).
    @Test func lastPreviewIsTheResult() throws {
        for kind in [SamplerKind.ddim, .dpmSolver2M, .euler] {
            var c = SamplerConfig()
            c.sampler = kind
            c.steps = 6
            if kind == .ddim { c.spacing = .leading; c.zeroTerminalSNR = false }
            var last: [Float] = []
            let result = try DenoisingLoop(sampler: c).run(frameCount: 1, elementsPerFrame: 5, noise: Self.seeded(9),
                                                           model: Self.model, onStep: { last = $0.denoised; return true })
            let final = try #require(result)
            for (a, b) in zip(final, last) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "\(kind)") }
        }
    }

    /// Euler ancestral with a `sample`-predicting model equals Euler ancestral with the ε-model derived from it,
    /// ε = (x − x0)/σ with x = input · √(σ²+1) (diffusers has no `sample` branch here to compare with).
    @Test func eulerAncestralSamplePredictionAgreesWithEpsilon() throws {
        var c = SamplerConfig()
        c.sampler = .eulerAncestral
        c.zeroTerminalSNR = false
        c.steps = 10
        let sigmas = try #require(try c.makeSampler().sigmas)
        let timesteps = try c.makeSampler().timesteps
        let x0Model: (ModelBatch) -> [Float] = { b in b.input.map { 0.3 * $0 + 0.05 } }
        var sampleConfig = c
        sampleConfig.prediction = .sample
        var epsilonConfig = c
        epsilonConfig.prediction = .epsilon
        let viaSample = try DenoisingLoop(sampler: sampleConfig).run(
            frameCount: 1, elementsPerFrame: 6, noise: Self.seeded(5), model: { [x0Model($0)] })
        let viaEpsilon = try DenoisingLoop(sampler: epsilonConfig).run(
            frameCount: 1, elementsPerFrame: 6, noise: Self.seeded(5), model: { b in
                let i = timesteps.firstIndex(of: b.timestep) ?? 0
                let sigma = sigmas[i], scale = (sigma * sigma + 1).squareRoot()
                return [zip(b.input, x0Model(b)).map { ($0 * scale - $1) / sigma }]
            })
        let a = try #require(viaSample), e = try #require(viaEpsilon)
        for (x, y) in zip(a, e) { #expect(abs(x - y) <= 1e-4 * max(1, abs(y))) }
    }

    @Test func badConfigurationsAreRejectedWithOneLine() {
        var cases: [(SamplerConfig, String)] = []
        var c = SamplerConfig(); c.steps = 0; cases.append((c, "steps must be between 1 and 1000, got 0"))
        c = SamplerConfig(); c.steps = 1001; cases.append((c, "steps must be between 1 and 1000, got 1001"))
        c = SamplerConfig(); c.snrShift = -1; cases.append((c, "snr shift must be a positive number"))
        c = SamplerConfig(); c.snrShift = .nan; cases.append((c, "snr shift must be a positive number"))
        c = SamplerConfig(); c.eta = 0.5; cases.append((c, "eta applies to ddim only"))
        c = SamplerConfig(); c.sampler = .ddim; c.karrasSigmas = true; cases.append((c, "Karras sigmas need"))
        c = SamplerConfig(); c.sampler = .eulerAncestral; c.karrasSigmas = true; cases.append((c, "not offered for euler-a"))
        c = SamplerConfig(); c.spacing = .leading; c.stepsOffset = 1; c.steps = 1000; c.sampler = .ddim
        cases.append((c, "reaches timestep 1000"))
        c = SamplerConfig(); c.betaStart = 0.5; c.betaEnd = 0.1; cases.append((c, "betas must satisfy"))
        for (config, expected) in cases {
            do {
                _ = try config.makeSampler()
                Issue.record("expected an error containing \(expected)")
            } catch let error as SamplingError {
                #expect(error.message.contains(expected) && !error.message.contains("\n"), "\(error.message)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func configDecodesWithDefaultsForMissingKeys() throws {
        let c = try JSONDecoder().decode(SamplerConfig.self, from: Data(#"{"sampler": "euler-a", "steps": 12}"#.utf8))
        var expected = SamplerConfig()
        expected.sampler = .eulerAncestral
        expected.steps = 12
        #expect(c == expected)
        let roundTrip = try JSONDecoder().decode(SamplerConfig.self, from: JSONEncoder().encode(c))
        #expect(roundTrip == c)
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode(SamplerConfig.self, from: Data(#"{"sampler": "heun"}"#.utf8))
        }
    }

    /// Trailing spacing with numpy's extra step (n = 61: arange(1000, 0, −1000/61) has 62 entries, the last −1):
    /// the −1 step is dropped and the schedule still starts at 999 and ends at a valid timestep.
    @Test func trailingSpacingDropsNumpysNegativeExtraStep() throws {
        var c = SamplerConfig()
        c.sampler = .ddim
        c.steps = 61
        let t = try c.makeSampler().timesteps
        #expect(t.first == 999 && (t.last ?? -1) >= 0 && t.count == 61)
    }
}
