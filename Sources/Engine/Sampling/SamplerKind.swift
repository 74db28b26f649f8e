/// The solver that walks the timesteps. Independent of the noise schedule and the prediction type.
public enum SamplerKind: String, Codable, Sendable, CaseIterable {
    /// DDIM (Song et al. 2021) with stochasticity η (0 = deterministic).
    case ddim
    /// Euler's method on the probability-flow ODE in σ (Karras et al. 2022, Alg. 1 without churn).
    case euler
    /// Euler ancestral: an Euler step to σ_down, then fresh noise of std σ_up.
    case eulerAncestral = "euler-a"
    /// DPM-Solver++ 2M (Lu et al. 2022), data prediction, second-order multistep, midpoint.
    case dpmSolver2M = "dpmpp-2m"

    /// Whether the sampler keeps its state in σ (k-diffusion) space and so has a sigma table.
    public var usesSigmas: Bool { self != .ddim }

    var flavor: TimestepSpacing.Flavor {
        switch self {
        case .ddim: return .integer
        case .euler, .eulerAncestral: return .float32
        case .dpmSolver2M: return .dpmSolver
        }
    }
}
