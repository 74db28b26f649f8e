import Foundation
import Testing
import Engine

/// Context windows: layout, weights, exact fusion of per-frame constants, no-op for short clips, loop closure.
@Suite struct ContextWindowTests {
    @Test func windowsCoverTheClipWithTheGivenOverlap() {
        let c = ContextWindowConfig(length: 16, overlap: 4)
        #expect(c.windows(frameCount: 40) == [Array(0..<16), Array(12..<28), Array(24..<40)])
        #expect(c.windows(frameCount: 16) == [Array(0..<16)])
        #expect(c.windows(frameCount: 5) == [Array(0..<5)])
        // Last window aligned to the end: 30 frames → 0…15, 12…27, 14…29.
        #expect(c.windows(frameCount: 30).map { $0.first ?? -1 } == [0, 12, 14])
    }

    @Test func closedLoopWindowsWrapAround() {
        let c = ContextWindowConfig(length: 8, overlap: 2, fusion: .flat, closedLoop: true)
        let windows = c.windows(frameCount: 20)
        #expect(windows.map { $0.first ?? -1 } == [0, 6, 12, 18])
        #expect(windows[3] == [18, 19, 0, 1, 2, 3, 4, 5])
        #expect(Set(windows.joined()) == Set(0..<20))
    }

    /// AnimateDiff-Evolved pyramid: 1…L/2, L/2…1 (odd: 1…(L+1)/2…1). MimicMotion triangular
    /// min((k+½)·2/L, 2 − (k+½)·2/L) for L = 4: 0.25, 0.75, 0.75, 0.25 ∝ 1, 3, 3, 1.
    @Test func fusionWeights() {
        #expect(ContextWindowConfig(length: 8, overlap: 2, fusion: .pyramid).weights(count: 8) == [1, 2, 3, 4, 4, 3, 2, 1])
        #expect(ContextWindowConfig(length: 5, overlap: 2, fusion: .pyramid).weights(count: 5) == [1, 2, 3, 2, 1])
        #expect(ContextWindowConfig(length: 4, overlap: 1, fusion: .triangular).weights(count: 4) == [1, 3, 3, 1])
        #expect(ContextWindowConfig(length: 3, overlap: 1, fusion: .flat).weights(count: 3) == [1, 1, 1])
    }

    /// A model that returns a per-frame constant (whatever the window) gives exactly that constant after fusion.
    @Test func perFrameConstantSurvivesEveryFusionExactly() throws {
        let perFrame = 3, frames = 37
        func constant(_ f: Int) -> Float { Float(f) * 0.1 + 1 / 3 }
        for fusion in ContextFusion.allCases {
            for loop in [false, true] {
                for (length, overlap) in [(16, 4), (8, 7), (5, 0), (12, 11)] {
                    let c = ContextWindowConfig(length: length, overlap: overlap, fusion: fusion, closedLoop: loop)
                    let fused = try c.fuse(frameCount: frames, elementsPerFrame: perFrame) { window in
                        [window.flatMap { f in [Float](repeating: constant(f), count: perFrame) },
                         window.flatMap { f in [Float](repeating: -constant(f), count: perFrame) }]
                    }
                    let expected = (0..<frames).flatMap { [Float](repeating: constant($0), count: perFrame) }
                    #expect(fused[0] == expected, "\(fusion) loop=\(loop) L=\(length) O=\(overlap)")
                    #expect(fused[1] == expected.map { -$0 }, "\(fusion) loop=\(loop) L=\(length) O=\(overlap)")
                }
            }
        }
    }

    /// A clip no longer than the window: the same run as without windows, with a model that mixes frames (so any
    /// re-windowing would show).
    @Test func shortClipEqualsNoWindows() throws {
        var config = SamplerConfig()
        config.steps = 5
        let model: DenoisingModel = { batch in
            let n = batch.frames.count, per = batch.input.count / n
            var out = batch.input
            for j in 0..<per {
                let mean = (0..<n).map { batch.input[$0 * per + j] }.reduce(0, +) / Float(n)
                for f in 0..<n { out[f * per + j] = 0.5 * batch.input[f * per + j] - 0.2 * mean }
            }
            return [out]
        }
        func run(_ context: ContextWindowConfig?) throws -> [Float]? {
            var seed: UInt64 = 7
            let noise: NoiseSource = { count in
                (0..<count).map { _ in
                    seed = seed &* 6364136223846793005 &+ 1442695040888963407
                    return Float(Int64(bitPattern: seed >> 11) % 1000) / 1000
                }
            }
            return try DenoisingLoop(sampler: config, context: context)
                .run(frameCount: 12, elementsPerFrame: 4, noise: noise, model: model)
        }
        let plain = try run(nil)
        for fusion in ContextFusion.allCases {
            #expect(try run(ContextWindowConfig(length: 16, overlap: 4, fusion: fusion)) == plain)
            #expect(try run(ContextWindowConfig(length: 12, overlap: 4, fusion: fusion, closedLoop: true)) == plain)
        }
        // And a longer clip does get windowed: the frame-mixing model then gives a different result.
        #expect(try run(ContextWindowConfig(length: 4, overlap: 2)) != plain)
    }

    @Test func badWindowsAreRejected() {
        #expect(throws: SamplingError.self) { try ContextWindowConfig(length: 8, overlap: 8).validate() }
        #expect(throws: SamplingError.self) { try ContextWindowConfig(length: 0, overlap: 0).validate() }
        #expect(throws: SamplingError.self) { try ContextWindowConfig(length: 8, overlap: -1).validate() }
    }
}
