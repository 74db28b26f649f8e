import Foundation

/// What a training step does besides the plain denoising loss: the seed's regional supervision, condition
/// dropout for guidance, min-SNR weighting, the noise schedule (with HIA's resolution SNR shift) and which
/// parameters learn.
public struct TrainingOptions: Sendable, Equatable {
    /// The training noise schedule and prediction type (v by default); the sampler later uses the same schedule.
    public var schedule = SamplerConfig()
    /// λ_face: extra weight of the squared error inside the face region (HIA regional supervision).
    public var faceWeight: Float = 1
    /// λ_hand: extra weight inside the hand region.
    public var handWeight: Float = 2
    /// Min-SNR-γ loss weighting (Hang et al. 2023), nil for none. For v-prediction the weight is
    /// `min(SNR, γ) / (SNR + 1)`.
    public var minSNRGamma: Float? = nil
    /// Probability that a clip's reference is replaced by the blank (zero) image.
    public var dropReference: Float = 0.1
    /// Probability that a clip's prompt is replaced by the empty prompt.
    public var dropPrompt: Float = 0.1
    /// Probability that both are dropped together (the unconditional branch of animation-cfg keeps the pose).
    public var dropBoth: Float = 0.05
    /// Global gradient-norm clip.
    public var maxGradNorm: Float = 1
    /// Train only the temporal layers (the video stage of progressive training), or everything.
    public var temporalOnly = false
    /// When set, a share `timestepsShare` of the clips draw their timestep uniformly from these, the rest from the
    /// whole schedule: more training on the timesteps a few-step sampler visits (999 and 499 for two trailing steps)
    /// without forgetting the others (a share of 1 left 20-step sampling at 13.5 dB: docs/MODEL.md).
    public var timesteps: [Int]? = nil
    /// The share of clips that draw from `timesteps` (0…1).
    public var timestepsShare: Float = 1

    /// Defaults: v-prediction on the scaled-linear schedule with zero terminal SNR.
    public init() {}
}

/// What one step measured.
public struct TrainingStepResult: Sendable {
    /// The weighted loss that was minimised.
    public var loss: Float
    /// Plain mean squared error of the v-prediction over the whole frame.
    public var mse: Float
    /// Mean squared error inside the face and hand regions (nil when the batch has none).
    public var faceMSE: Float?
    public var handMSE: Float?
    /// Global gradient norm before clipping.
    public var gradientNorm: Float
}

/// Trains an `AnimatorNetwork` with v-prediction: per clip a timestep t and noise ε, `x_t = √ᾱ_t x0 + √(1−ᾱ_t) ε`,
/// target `v = √ᾱ_t ε − √(1−ᾱ_t) x0`, loss `mean(w_t · (1 + λ_f·face + λ_h·hand) · (v̂ − v)²)`; AdamW, clipping, EMA.
///
/// Randomness (timesteps, noise, dropout) comes from a Philox stream keyed by (seed, step), so a run resumed
/// from a checkpoint at step k continues exactly as the uninterrupted run would have.
public final class DiffusionTrainer {
    /// The network being trained.
    public let network: AnimatorNetwork
    /// The parameters that learn (all, or the temporal layers only).
    public let trainable: [Tensor]
    /// The optimiser over `trainable`.
    public let optimizer: AdamW
    /// Exponential moving average of every parameter of the network.
    public let ema: EMA
    /// The options.
    public let options: TrainingOptions
    /// Seed of the step randomness.
    public let seed: UInt64
    /// Steps taken (the next step is number `step`, 0-based).
    public private(set) var step = 0
    private let alphasCumprod: [Float]
    private lazy var emptyPromptIDs = network.prompt.tokenizer.tokenize("").ids

    /// A trainer for `network`. Weight decay and betas come from `optimizer`; `emaDecay` is the EMA's target decay.
    public init(network: AnimatorNetwork, options: TrainingOptions, optimizer configuration: AdamW.Configuration,
                emaDecay: Float, seed: UInt64) {
        self.network = network
        self.options = options
        self.seed = seed
        let named = network.namedParameters()
        trainable = options.temporalOnly ? named.filter { $0.name.contains(".temporal.") }.map(\.tensor) : named.map(\.tensor)
        optimizer = AdamW(parameters: trainable, configuration: configuration)
        ema = EMA(parameters: named.map(\.tensor), decay: emaDecay)
        alphasCumprod = options.schedule.noiseSchedule.alphasCumprod
    }

    /// The timestep a uniform draw u ∈ [0, 1) picks: ⌊u·T⌋ over the whole schedule; with `choices`, u < share picks
    /// one of them (each with probability share/count) and the rest of [0, 1) the whole schedule. Clamped to the
    /// schedule's last timestep.
    public static func timestep(uniform u: Float, count T: Int, choices: [Int]?, share: Float = 1) -> Int {
        if let choices, !choices.isEmpty, share > 0 {
            if u < share { return min(T - 1, choices[min(choices.count - 1, Int(u / share * Float(choices.count)))]) }
            return min(T - 1, Int((u - share) / (1 - share) * Float(T)))
        }
        return min(T - 1, Int(u * Float(T)))
    }

    /// One optimisation step on `batch` at `learningRate`.
    public func train(_ batch: TrainingBatch, learningRate: Float) throws(GenerationError) -> TrainingStepResult {
        let c = network.config, s = batch.size, n = s * s, rows = batch.rows
        if let problem = batch.sizeProblem(conditionChannels: c.conditionChannels) { throw GenerationError("training batch: \(problem)") }
        guard s % (c.patchSize << (c.channels.count - 1)) == 0 else {
            throw GenerationError("training batch: size \(s) is not divisible by \(c.patchSize << (c.channels.count - 1))")
        }
        guard batch.frames == 1 || (c.hasTemporal && batch.frames <= c.frameWindow) else {
            throw GenerationError("training batch: \(batch.frames)-frame clips need temporal layers with a window of at least \(batch.frames) frames")
        }
        var rng = Philox(seed: seed ^ 0x5EED_7A1A, offset: UInt64(step) << 32)
        // Per clip: timestep, dropout draws.
        let uniforms = rng.uniform([batch.clips * 3]).values
        var t = [Int](repeating: 0, count: batch.clips)
        var dropRef = [Bool](repeating: false, count: batch.clips), dropPrompt = dropRef
        let T = alphasCumprod.count
        for b in 0..<batch.clips {
            t[b] = Self.timestep(uniform: uniforms[3 * b], count: T, choices: options.timesteps, share: options.timestepsShare)
            let u = uniforms[3 * b + 1], o = options
            if u < o.dropBoth { dropRef[b] = true; dropPrompt[b] = true }
            else if u < o.dropBoth + o.dropReference { dropRef[b] = true }
            else if u < o.dropBoth + o.dropReference + o.dropPrompt { dropPrompt[b] = true }
        }
        let noise = rng.normal([rows * 3 * n]).values
        // Noisy input, target and per-element loss weights.
        let x = Tensor(shape: [rows, 3, s, s]), target = Tensor(shape: [rows, 3, s, s]), weight = Tensor(shape: [rows, 3, s, s])
        var timesteps = [Float](repeating: 0, count: rows)
        for r in 0..<rows {
            let b = r / batch.frames
            let abar = alphasCumprod[t[b]]
            let alpha = abar.squareRoot(), sigma = (1 - abar).squareRoot()
            timesteps[r] = Float(t[b])
            var w: Float = 1
            if let gamma = options.minSNRGamma {
                let snr = abar / max(1 - abar, 1e-12)
                w = min(snr, gamma) / (snr + 1)
            }
            for ch in 0..<3 {
                let base = (r * 3 + ch) * n
                for i in 0..<n {
                    let x0 = batch.targets[base + i], eps = noise[base + i]
                    x.data[base + i] = alpha * x0 + sigma * eps
                    target.data[base + i] = alpha * eps - sigma * x0
                    weight.data[base + i] = w * (1 + options.faceWeight * batch.faceMasks[r * n + i] + options.handWeight * batch.handMasks[r * n + i])
                }
            }
        }
        let tape = Tape()
        tape.watch(trainable)
        // Reference: the blank image for dropped clips (what inference uses for the unconditional branch).
        var refValues = batch.references
        for b in 0..<batch.clips where dropRef[b] {
            for i in 0..<(3 * n) { refValues[b * 3 * n + i] = 0 }
        }
        let refTokens = network.reference(Tensor(shape: [batch.clips, 3, s, s], values: refValues))
        var reference: [Int: Tensor] = [:]
        for (level, tokens) in refTokens { reference[level] = tokens.repeatedRows(batch.frames) }
        let ids = (0..<rows).map { r in dropPrompt[r / batch.frames] ? emptyPromptIDs : network.prompt.tokenizer.tokenize(batch.captions[r]).ids }
        let prompt = network.prompt(ids)
        let guidance = network.guidance(Tensor(shape: [rows, c.conditionChannels, s, s], values: batch.conditions))
        let vHat = network.unet(x, timesteps: timesteps, frames: batch.frames, reference: reference, prompt: prompt, guidance: guidance)
        let d = vHat - target
        let loss = (d * d * weight).mean()
        tape.backward(loss)
        let norm = clipGradientNorm(trainable, maxNorm: options.maxGradNorm)
        optimizer.learningRate = learningRate
        optimizer.step()
        optimizer.zeroGrad()
        ema.update()
        step += 1
        // Metrics (no gradient): plain and regional MSE.
        var total = 0.0, face = 0.0, faceCount = 0.0, hand = 0.0, handCount = 0.0
        for r in 0..<rows {
            for ch in 0..<3 {
                let base = (r * 3 + ch) * n
                for i in 0..<n {
                    let e = Double(d.data[base + i]) * Double(d.data[base + i])
                    total += e
                    let fm = Double(batch.faceMasks[r * n + i]), hm = Double(batch.handMasks[r * n + i])
                    face += fm * e; faceCount += fm
                    hand += hm * e; handCount += hm
                }
            }
        }
        return TrainingStepResult(loss: loss.values[0], mse: Float(total / Double(rows * 3 * n)),
                                  faceMSE: faceCount > 0 ? Float(face / faceCount) : nil,
                                  handMSE: handCount > 0 ? Float(hand / handCount) : nil, gradientNorm: norm)
    }

    // MARK: - State

    /// Writes the full training state (weights, EMA, optimiser moments, step) atomically to `path`.
    public func saveState(to path: String, metadata: [(key: String, value: String)]) throws(SafetensorsError) {
        let named = network.namedParameters()
        var entries: [SafetensorsWriter.Item] = named.map { .init(name: "model." + $0.name, tensor: $0.tensor, dtype: .f32) }
        for (i, p) in named.enumerated() { entries.append(.init(name: "ema." + p.name, tensor: ema.shadow[i], dtype: .f32)) }
        let (m, v) = optimizer.moments
        let trainableNames = trainableNames()
        for (i, name) in trainableNames.enumerated() {
            entries.append(.init(name: "adam.m." + name, tensor: m[i], dtype: .f32))
            entries.append(.init(name: "adam.v." + name, tensor: v[i], dtype: .f32))
        }
        try SafetensorsWriter.write(entries, metadata: metadata + [
            ("zoetrope.train.step", String(step)), ("zoetrope.train.adamSteps", String(optimizer.stepCount)),
            ("zoetrope.train.emaUpdates", String(ema.updates)),
        ], to: path)
    }

    /// Restores a state written by `saveState` (same network configuration and trainable set).
    public func loadState(from file: SafetensorsFile) throws(SafetensorsError) {
        func int(_ key: String) throws(SafetensorsError) -> Int {
            guard let s = file.metadataValue(key), let v = Int(s) else {
                throw SafetensorsError(path: file.path, message: "not a training state (no \"\(key)\" in the metadata)")
            }
            return v
        }
        func tensor(_ name: String, like t: Tensor) throws(SafetensorsError) -> Tensor {
            guard let e = file.entry(name) else { throw SafetensorsError(path: file.path, message: "missing tensor \"\(name)\"") }
            guard e.shape == t.shape else {
                throw SafetensorsError(path: file.path, message: "tensor \"\(name)\" has shape \(e.shape), expected \(t.shape)")
            }
            return try file.tensor(name)
        }
        let named = network.namedParameters()
        var shadow: [Tensor] = []
        for p in named {
            let w = try tensor("model." + p.name, like: p.tensor)
            p.tensor.data.update(from: w.data, count: p.tensor.count)
            shadow.append(try tensor("ema." + p.name, like: p.tensor))
        }
        var m: [Tensor] = [], v: [Tensor] = []
        let names = trainableNames()
        for (i, name) in names.enumerated() {
            m.append(try tensor("adam.m." + name, like: trainable[i]))
            v.append(try tensor("adam.v." + name, like: trainable[i]))
        }
        let steps = try int("zoetrope.train.step"), adamSteps = try int("zoetrope.train.adamSteps")
        let updates = try int("zoetrope.train.emaUpdates")
        optimizer.restore(stepCount: adamSteps, m: m, v: v)
        ema.restore(updates: updates, shadow: shadow)
        step = steps
    }

    /// A copy of the network's parameters (to swap the EMA weights in and back out).
    public func swapInEMA() -> [Tensor] {
        let saved = network.parameters.map { $0.copy() }
        ema.copyToParameters()
        return saved
    }

    /// Puts back parameters saved by `swapInEMA`.
    public func restoreParameters(_ saved: [Tensor]) {
        for (p, s) in zip(network.parameters, saved) { p.data.update(from: s.data, count: p.count) }
    }

    private func trainableNames() -> [String] {
        let ids = Set(trainable.map { ObjectIdentifier($0) })
        return network.namedParameters().filter { ids.contains(ObjectIdentifier($0.tensor)) }.map(\.name)
    }
}
