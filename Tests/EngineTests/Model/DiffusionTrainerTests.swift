import Engine
import Foundation
import Testing

/// The trainer by its defining properties: it learns (the loss on a fixed batch falls — a wrong gradient sign or a
/// wrong target would make it rise or stall), and a state saved mid-run continues bit for bit like the
/// uninterrupted run (the kill -9 resume guarantee).
@Suite("Diffusion trainer") struct DiffusionTrainerTests {
    static func batch(seed: UInt64, clips: Int = 2, frames: Int = 2) -> TrainingBatch {
        let c = AnimatorConfig.tiny, s = c.imageSize, n = s * s, rows = clips * frames
        var rng = Philox(seed: seed)
        // Smooth targets (a blurred random field), so the task is learnable by a tiny network in a few steps.
        let targets = rng.uniform([rows * 3 * n]).values.enumerated().map { i, u in
            let x = Float(i % s) / Float(s), y = Float((i / s) % s) / Float(s)
            return 0.6 * sin(3 * x + Float(i / n)) * cos(2 * y) + 0.1 * (u - 0.5)
        }
        var face = [Float](repeating: 0, count: rows * n), hand = face
        for r in 0..<rows { for i in 0..<8 { face[r * n + i] = 1; hand[r * n + n - 1 - i] = 1 } }
        return TrainingBatch(clips: clips, frames: frames, size: s, targets: targets,
                             references: Array(targets.prefix(clips * 3 * n)),
                             conditions: rng.normal([rows * c.conditionChannels * n]).values,
                             captions: (0..<rows).map { $0 % 2 == 0 ? "smiling" : "warm light" },
                             faceMasks: face, handMasks: hand)
    }

    static func trainer(seed: UInt64 = 3) throws -> DiffusionTrainer {
        var options = TrainingOptions()
        options.dropReference = 0.2
        var adam = AdamW.Configuration()
        adam.learningRate = 3e-3
        return DiffusionTrainer(network: try AnimatorNetwork(config: .tiny, seed: 1), options: options, optimizer: adam,
                                emaDecay: 0.99, seed: seed)
    }

    @Test("the loss on a fixed batch falls")
    func learns() throws {
        let t = try Self.trainer()
        let b = Self.batch(seed: 9)
        var losses: [Float] = []
        for _ in 0..<40 { losses.append(try t.train(b, learningRate: 3e-3).mse) }
        let first = losses.prefix(5).reduce(0, +) / 5, last = losses.suffix(5).reduce(0, +) / 5
        #expect(last < 0.7 * first, "mse \(first) → \(last)")
        #expect(t.step == 40)
    }

    @Test("a saved state resumes bit for bit like the uninterrupted run")
    func resumes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zt-trainer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let batches = (0..<4).map { Self.batch(seed: UInt64(20 + $0)) }
        let straight = try Self.trainer()
        var straightLosses: [Float] = []
        for b in batches { straightLosses.append(try straight.train(b, learningRate: 1e-3).loss) }
        let first = try Self.trainer()
        var losses: [Float] = []
        for b in batches.prefix(2) { losses.append(try first.train(b, learningRate: 1e-3).loss) }
        let path = dir.appendingPathComponent("state.safetensors").path
        try first.saveState(to: path, metadata: [])
        let resumed = try Self.trainer()
        try resumed.loadState(from: SafetensorsFile(path: path))
        #expect(resumed.step == 2)
        for b in batches.suffix(2) { losses.append(try resumed.train(b, learningRate: 1e-3).loss) }
        #expect(losses == straightLosses)
        for (a, b) in zip(straight.network.parameters, resumed.network.parameters) { #expect(a.values == b.values) }
        for (a, b) in zip(straight.ema.shadow, resumed.ema.shadow) { #expect(a.values == b.values) }
    }

    @Test("temporal-only training leaves every other weight untouched")
    func temporalOnly() throws {
        var options = TrainingOptions()
        options.temporalOnly = true
        let net = try AnimatorNetwork(config: .tiny, seed: 1)
        let before = net.namedParameters().map { ($0.name, $0.tensor.values) }
        let t = DiffusionTrainer(network: net, options: options, optimizer: AdamW.Configuration(), emaDecay: 0.99, seed: 1)
        _ = try t.train(Self.batch(seed: 4), learningRate: 1e-2)
        var changed = 0
        for ((name, old), p) in zip(before, net.namedParameters()) {
            if name.contains(".temporal.") { if old != p.tensor.values { changed += 1 } }
            else { #expect(old == p.tensor.values, "\(name) changed") }
        }
        #expect(changed > 0)
    }

    @Test("timestep draws: uniform over the schedule, or over the chosen timesteps only")
    func timestepDraws() {
        var counts: [Int: Int] = [:], all = Set<Int>()
        for k in 0..<4000 {
            let u = (Float(k) + 0.5) / 4000
            counts[DiffusionTrainer.timestep(uniform: u, count: 1000, choices: [999, 499]), default: 0] += 1
            all.insert(DiffusionTrainer.timestep(uniform: u, count: 1000, choices: nil))
        }
        #expect(counts == [999: 2000, 499: 2000])
        #expect(all == Set(0..<1000))
        #expect(DiffusionTrainer.timestep(uniform: 0.9999, count: 1000, choices: [5, 1200]) == 999)
        // A share of ½: half the draws on the chosen timesteps, the other half over the whole schedule.
        var mixed: [Int: Int] = [:]
        for k in 0..<4000 {
            mixed[DiffusionTrainer.timestep(uniform: (Float(k) + 0.5) / 4000, count: 1000, choices: [999, 499], share: 0.5), default: 0] += 1
        }
        #expect(mixed[999] == 1002 && mixed[499] == 1002 && mixed.count == 1000 && mixed[0] == 2 && mixed[998] == 2)
        // The option reaches the training step: the same batch, noise and weights give another loss on other timesteps.
        let b = Self.batch(seed: 9)
        func firstLoss(_ choices: [Int]?) throws -> Float {
            var options = TrainingOptions()
            options.timesteps = choices
            let t = DiffusionTrainer(network: try AnimatorNetwork(config: .tiny, seed: 1), options: options,
                                     optimizer: AdamW.Configuration(), emaDecay: 0.99, seed: 3)
            return try t.train(b, learningRate: 1e-3).loss
        }
        #expect((try? firstLoss([999])) == (try? firstLoss([999, 999])))
        #expect((try? firstLoss([999])) != (try? firstLoss([10])))
    }

    @Test("a batch of the wrong size is one clear error, not a crash")
    func badBatch() throws {
        let t = try Self.trainer()
        var b = Self.batch(seed: 1)
        b.captions.removeLast()
        #expect(throws: GenerationError.self) { try t.train(b, learningRate: 1e-3) }
    }
}
