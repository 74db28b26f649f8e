import Foundation

/// How the training betas are laid out over the training timesteps.
public enum BetaSchedule: String, Codable, Sendable, CaseIterable {
    /// `beta = linspace(betaStart, betaEnd, T)` in float32.
    case linear
    /// `beta = linspace(sqrt(betaStart), sqrt(betaEnd), T)^2` in float32 (Stable Diffusion's schedule).
    case scaledLinear = "scaled-linear"
    /// Nichol & Dhariwal's cosine schedule (`squaredcos_cap_v2`), betas capped at 0.999.
    case cosine

    /// The betas of this schedule, in float32 exactly as diffusers computes them.
    ///
    /// Matches: diffusers `torch.linspace(..., dtype=float32)` (start + step·i for the first half, end − step·(T−1−i)
    /// for the second, float32 step, one rounding) and `betas_for_alpha_bar(T, 0.999, "cosine")` (float64, then cast).
    public func betas(start: Double, end: Double, count: Int) -> [Float] {
        switch self {
        case .linear:
            return Self.torchLinspace(Float(start), Float(end), count)
        case .scaledLinear:
            return Self.torchLinspace(Float(start.squareRoot()), Float(end.squareRoot()), count).map { $0 * $0 }
        case .cosine:
            // alphaBar(t) = cos((t + 0.008) / 1.008 · π/2)²;  beta_i = min(1 − alphaBar(t_{i+1}) / alphaBar(t_i), 0.999)
            func alphaBar(_ t: Double) -> Double {
                let c = cos((t + 0.008) / 1.008 * Double.pi / 2)
                return c * c
            }
            return (0..<count).map { i in
                let t1 = Double(i) / Double(count), t2 = Double(i + 1) / Double(count)
                return Float(min(1 - alphaBar(t2) / alphaBar(t1), 0.999))
            }
        }
    }

    /// `torch.linspace(start, end, n, dtype=float32)` bit for bit: a float32 step, each value formed with one rounding.
    static func torchLinspace(_ start: Float, _ end: Float, _ n: Int) -> [Float] {
        guard n > 1 else { return n == 1 ? [start] : [] }
        let step = (end - start) / Float(n - 1)
        let halfway = n / 2
        return (0..<n).map { i in
            if i < halfway { return Float(Double(start) + Double(step) * Double(i)) }
            return Float(Double(end) - Double(step) * Double(n - 1 - i))
        }
    }
}
