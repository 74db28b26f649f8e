extension SamplerConfig {
    /// Builds the stateful sampler for one run. `noise` supplies the fresh noise of Euler ancestral and DDIM η > 0.
    public func makeSampler(noise: @escaping NoiseSource = { [Float](repeating: 0, count: $0) }) throws -> any Sampler {
        try validate()
        let schedule = noiseSchedule
        switch sampler {
        case .ddim: return DDIMSampler(config: self, schedule: schedule, noise: noise)
        case .euler: return EulerSampler(config: self, schedule: schedule)
        case .eulerAncestral: return EulerAncestralSampler(config: self, schedule: schedule, noise: noise)
        case .dpmSolver2M: return DPMSolverMultistepSampler(config: self, schedule: schedule)
        }
    }

    /// The first step for initial reference noise of the given strength in [0, 1]:
    /// `init = min(Int(n · strength), n)`, `start = n − init` (diffusers img2img). Strength 0 means no step at all
    /// (`timesteps.count`); strength 1 means step 0, which the loop starts from pure noise.
    public func startStep(strength: Double, stepCount n: Int) -> Int {
        let clamped = min(max(strength, 0), 1)
        let initSteps = min(Int(Double(n) * clamped), n)
        return max(n - initSteps, 0)
    }
}
