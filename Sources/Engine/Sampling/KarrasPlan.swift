import Foundation

/// Timesteps and σ table of a σ-based sampler, computed as diffusers' `set_timesteps` does.
struct KarrasPlan {
    enum Family { case euler, dpmSolver }

    let timesteps: [Double]
    /// σ per step plus the final σ = 0, float32.
    let sigmas: [Float]
    let alphasCumprodAtSteps: [Float?]
    let initNoiseSigma: Float

    /// Matches: diffusers 0.42 EulerDiscreteScheduler / EulerAncestralDiscreteScheduler / DPMSolverMultistepScheduler
    /// `set_timesteps` (linear interpolation of the float32 training sigmas in float64; Karras sigmas from the
    /// interpolated ends (Euler) or the training table's ends (DPM-Solver); timesteps of Karras sigmas from
    /// `_sigma_to_t`, rounded for DPM-Solver unless the schedule is cosine; final sigma zero).
    init(config: SamplerConfig, schedule: NoiseSchedule, family: Family) {
        let abar = schedule.guardedAlphasCumprod
        let table = schedule.trainingSigmas
        let flavor: TimestepSpacing.Flavor = family == .euler ? .float32 : .dpmSolver
        var steps = config.spacing.timesteps(count: config.steps, trainSteps: config.trainSteps,
                                             offset: config.stepsOffset, flavor: flavor)
        var sigmas64 = steps.map { SigmaSchedule.interpolate(table, at: $0) }
        if config.karrasSigmas {
            let logSigmas = table.map { Foundation.log($0) }
            switch family {
            case .euler:
                sigmas64 = SigmaSchedule.karras(sigmaMin: sigmas64.last ?? 0, sigmaMax: sigmas64.first ?? 0,
                                                count: steps.count)
                steps = sigmas64.map { Double(Float(SigmaSchedule.timestep(forSigma: $0, logSigmas: logSigmas))) }
            case .dpmSolver:
                sigmas64 = SigmaSchedule.karras(sigmaMin: Double(table.first ?? 0), sigmaMax: Double(table.last ?? 0),
                                                count: steps.count)
                steps = sigmas64.map {
                    let t = SigmaSchedule.timestep(forSigma: $0, logSigmas: logSigmas)
                    return config.betaSchedule == .cosine ? t.rounded(.towardZero) : t.rounded(.toNearestOrEven)
                }
            }
        }
        self.timesteps = steps
        self.sigmas = sigmas64.map { Float($0) } + [0]
        self.alphasCumprodAtSteps = steps.map { t in
            t == t.rounded() && t >= 0 && Int(t) < abar.count ? abar[Int(t)] : nil
        }
        switch family {
        case .dpmSolver:
            self.initNoiseSigma = 1
        case .euler:
            let maxSigma = sigmas.max() ?? 0
            self.initNoiseSigma = config.spacing == .leading ? (maxSigma * maxSigma + 1).squareRoot() : maxSigma
        }
    }
}

extension KarrasPlan {
    /// The k-diffusion model input of the Euler samplers: x / √(σ² + 1).
    /// Matches: diffusers `EulerDiscreteScheduler.scale_model_input` (and the ancestral variant's).
    static func scaledModelInput(_ sample: [Float], sigma: Float) -> [Float] {
        let divisor = (sigma * sigma + 1).squareRoot()
        return sample.map { $0 / divisor }
    }
}
