/// Classifier-free guidance with several conditions, each with its own (optionally per-frame) scale.
///
/// Levels: L0 = the base conditions (the "unconditional" pass), L_i = L_{i−1} ∪ terms[i].conditions. Output:
/// out = L0 + Σ_i w_i (L_i − L_{i−1})  (InstructPix2Pix-style; with one term, plain CFG u + w (c − u)).
/// Then guidance rescale (Lin et al. 2024, §3.4): r = out · std(L_last) / std(out); out = φ r + (1 − φ) out.
/// All passes go to the model as one batch.
///
/// Matches: diffusers `rescale_noise_cfg` (std over the whole sample); MagicAnimate's animation-cfg (the
/// unconditional branch keeps the pose and drops the reference): `animation(referenceScale:promptScale:)`.
public struct GuidanceConfig: Codable, Sendable, Equatable {
    /// Conditions present in every pass, including the unconditional one.
    public var base: [GuidanceCondition] = [.pose]
    /// The guidance terms, applied in order.
    public var terms: [GuidanceTerm] = [GuidanceTerm([.reference, .prompt], scale: .constant(2.5))]
    /// Guidance rescale φ in [0, 1] (0 = off; Lin et al. suggest 0.7).
    public var rescale: Double = 0

    /// Animation-cfg with one scale for reference and prompt together (MagicAnimate): u keeps the pose.
    public init() {}

    /// Creates a configuration from its parts.
    public init(base: [GuidanceCondition], terms: [GuidanceTerm], rescale: Double = 0) {
        self.base = base
        self.terms = terms
        self.rescale = rescale
    }

    /// No guidance: one pass with every condition.
    public static let none = GuidanceConfig(base: GuidanceCondition.allCases, terms: [])

    /// Plain CFG: u has no condition at all, c has all of them.
    public static func plain(scale: GuidanceScale) -> GuidanceConfig {
        GuidanceConfig(base: [], terms: [GuidanceTerm(GuidanceCondition.allCases, scale: scale)])
    }

    /// Animation-cfg with separate reference and prompt scales: u = pose only; c_ref = pose + reference;
    /// c_full = pose + reference + prompt; out = u + w_ref (c_ref − u) + w_prompt (c_full − c_ref).
    /// When both scales are equal, the two terms telescope (u + w(c_ref − u) + w(c_full − c_ref) = u + w(c_full − u)),
    /// so the configuration has one term and the model runs two passes instead of three — the same result.
    public static func animation(referenceScale: GuidanceScale, promptScale: GuidanceScale,
                                 rescale: Double = 0) -> GuidanceConfig {
        if referenceScale == promptScale {
            return GuidanceConfig(base: [.pose], terms: [GuidanceTerm([.reference, .prompt], scale: referenceScale)], rescale: rescale)
        }
        return GuidanceConfig(base: [.pose], terms: [GuidanceTerm([.reference], scale: referenceScale),
                                              GuidanceTerm([.prompt], scale: promptScale)], rescale: rescale)
    }

    /// The condition sets of the passes, unconditional first: L0, L1, ...
    public var passes: [Set<GuidanceCondition>] {
        var level = Set(base)
        var result = [level]
        for term in terms {
            level.formUnion(term.conditions)
            result.append(level)
        }
        return result
    }

    /// Checks the scales and the rescale factor.
    public func validate() throws {
        guard rescale.isFinite && rescale >= 0 && rescale <= 1 else {
            throw SamplingError("guidance rescale must be between 0 and 1, got \(rescale)")
        }
        for term in terms where !(term.scale.start.isFinite && term.scale.end.isFinite) {
            throw SamplingError("guidance scale must be a finite number, got \(term.scale.start)…\(term.scale.end)")
        }
    }

    /// Combines the passes' outputs (each `frameCount × elementsPerFrame`, order of `passes`) into the guided output.
    public func combine(_ outputs: [[Float]], frameCount: Int) -> [Float] {
        guard var out = outputs.first.map({ $0.map(Double.init) }) else { return [] }
        let perFrame = frameCount > 0 ? out.count / frameCount : out.count
        for (i, term) in terms.enumerated() where i + 1 < outputs.count {
            let higher = outputs[i + 1], lower = outputs[i]
            for f in 0..<max(frameCount, 1) {
                let w = term.scale.weight(frame: f, of: frameCount)
                for j in (f * perFrame)..<min((f + 1) * perFrame, out.count) {
                    out[j] += w * (Double(higher[j]) - Double(lower[j]))
                }
            }
        }
        if rescale > 0, let conditioned = outputs.last {
            // r = out · std(c) / std(out);  out = φ r + (1 − φ) out
            let stdConditioned = Self.standardDeviation(conditioned.map(Double.init))
            let stdGuided = Self.standardDeviation(out)
            if stdGuided > 0 {
                let factor = rescale * stdConditioned / stdGuided + (1 - rescale)
                for j in out.indices { out[j] *= factor }
            }
        }
        return out.map { Float($0) }
    }

    /// Sample standard deviation (n − 1), as torch.std.
    static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let mean = values.reduce(0, +) / Double(values.count)
        let sumSquares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (sumSquares / Double(values.count - 1)).squareRoot()
    }
}
