/// Euler's method on the probability-flow ODE in σ (Karras et al. 2022, Alg. 2 with s_churn = 0).
///
/// State x = x_t / √ᾱ_t = x0 + σ ε; model input x / √(σ²+1); d = (x − x0)/σ; x ← x + d (σ_next − σ); final σ = 0.
///
/// Matches: diffusers 0.42 `EulerDiscreteScheduler` (interpolation linear, final sigma zero, optional Karras sigmas),
/// float32 steps, sigmas from float64 interpolation cast to float32.
/// Limitations: no churn (s_churn = 0), no exponential/beta sigmas, discrete timesteps only.
final class EulerSampler: Sampler {
    let config: SamplerConfig
    let timesteps: [Double]
    let sigmaTable: [Float]
    let initNoiseSigma: Float
    let alphasCumprodAtSteps: [Float?]

    var sigmas: [Float]? { sigmaTable }

    init(config: SamplerConfig, schedule: NoiseSchedule) {
        self.config = config
        let plan = KarrasPlan(config: config, schedule: schedule, family: .euler)
        self.timesteps = plan.timesteps
        self.sigmaTable = plan.sigmas
        self.alphasCumprodAtSteps = plan.alphasCumprodAtSteps
        self.initNoiseSigma = plan.initNoiseSigma
    }

    func scaleModelInput(_ sample: [Float], step: Int) -> [Float] {
        KarrasPlan.scaledModelInput(sample, sigma: sigmaTable[step])
    }

    func step(modelOutput: [Float], step: Int, sample: [Float]) -> SamplerStep {
        let sigma = sigmaTable[step]
        let x0 = config.prediction.denoised(output: modelOutput, karrasSample: sample, sigma: sigma)
        let dt = sigmaTable[step + 1] - sigma
        var next = [Float](repeating: 0, count: sample.count)
        for i in next.indices {
            let derivative = (sample[i] - x0[i]) / sigma
            next[i] = sample[i] + derivative * dt
        }
        return SamplerStep(sample: next, denoised: x0)
    }

    /// x = x0 + σ ε.
    func addNoise(to original: [Float], noise: [Float], step: Int) -> [Float] {
        let sigma = sigmaTable[step]
        return zip(original, noise).map { $0 + $1 * sigma }
    }
}
