import Foundation

/// Scales all gradients so their global L2 norm is at most `maxNorm`; returns the norm before clipping.
///
/// `total = √Σ‖g‖²`, `coef = min(1, maxNorm/(total + 1e-6))`, `g ← g·coef`.
/// Matches: `torch.nn.utils.clip_grad_norm_(params, maxNorm)` (norm type 2).
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var sumSquares = 0.0
    for p in parameters { if let g = p.grad { sumSquares += Double(Kernels.dot(g.data, g.data, g.count)) } }
    let total = Float(sumSquares.squareRoot())
    let coef = min(1, maxNorm / (total + 1e-6))
    if coef < 1 {
        for p in parameters { if let g = p.grad { for i in 0..<g.count { g.data[i] *= coef } } }
    }
    return total
}

/// Exponential moving average of weights: `ema ← d·ema + (1 − d)·p` after each optimiser step.
///
/// With `warmup`, `d = min(decay, (1 + t)/(10 + t))` (diffusers' `EMAModel` without power warm-up), so early
/// averages are not dominated by the random initialisation.
public final class EMA {
    /// Averaged copies, in the order of `parameters`.
    public let shadow: [Tensor]
    /// The tracked parameters.
    public let parameters: [Tensor]
    /// Target decay.
    public let decay: Float
    /// Whether the decay ramps up over the first steps.
    public let warmup: Bool
    /// Updates applied.
    public private(set) var updates = 0

    /// Starts from a copy of `parameters`.
    public init(parameters: [Tensor], decay: Float = 0.9999, warmup: Bool = true) {
        self.parameters = parameters
        self.shadow = parameters.map { $0.copy() }
        self.decay = decay
        self.warmup = warmup
    }

    /// The decay used by the next update.
    public var currentDecay: Float {
        warmup ? min(decay, Float(1 + updates) / Float(10 + updates)) : decay
    }

    /// `ema ← d·ema + (1 − d)·p`, written as diffusers does: `ema −= (1 − d)(ema − p)`.
    public func update() {
        let d = currentDecay
        updates += 1
        for (s, p) in zip(shadow, parameters) {
            let sd = s.data, pd = p.data
            for i in 0..<s.count { sd[i] -= (1 - d) * (sd[i] - pd[i]) }
        }
    }

    /// Restores a saved state: the averages (copied) and the number of updates applied.
    public func restore(updates: Int, shadow saved: [Tensor]) {
        precondition(saved.count == shadow.count, "EMA.restore: tensor count differs")
        self.updates = updates
        for (s, t) in zip(shadow, saved) { s.data.update(from: t.data, count: s.count) }
    }

    /// Copies the averages into the parameters (for sampling or saving).
    public func copyToParameters() {
        for (s, p) in zip(shadow, parameters) { p.data.update(from: s.data, count: p.count) }
    }
}

/// Learning-rate schedules with linear warm-up, as multipliers of the base rate.
///
/// Matches: diffusers `get_constant_schedule_with_warmup` and `get_cosine_schedule_with_warmup` (0.5 cycles).
public enum LearningRateSchedule: Sendable, Equatable {
    /// The base rate throughout.
    case constant
    /// Linear ramp from 0 over `warmup` steps, then constant.
    case constantWithWarmup(warmup: Int)
    /// Linear ramp, then half a cosine down to 0 at `total` steps.
    case cosineWithWarmup(warmup: Int, total: Int)

    /// Multiplier at `step` (0-based, the value used by the optimiser step number `step + 1`).
    public func multiplier(at step: Int) -> Float {
        switch self {
        case .constant: return 1
        case .constantWithWarmup(let w):
            return step < w ? Float(step) / Float(max(1, w)) : 1
        case .cosineWithWarmup(let w, let total):
            if step < w { return Float(step) / Float(max(1, w)) }
            let progress = Double(step - w) / Double(max(1, total - w))
            return Float(max(0, 0.5 * (1 + cos(Double.pi * 0.5 * 2 * progress))))
        }
    }
}
