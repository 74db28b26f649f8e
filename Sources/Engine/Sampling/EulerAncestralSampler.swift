/// Euler ancestral: σ_up = √(σ_next² (σ² − σ_next²) / σ²), σ_down = √(σ_next² − σ_up²);
/// x ← x + (x − x0)/σ · (σ_down − σ) + σ_up z.
///
/// Matches: diffusers 0.42 `EulerAncestralDiscreteScheduler` (float32), with the noise z from the `NoiseSource`.
/// Limitations: no Karras sigmas (diffusers has none for this scheduler); `sample` prediction, which diffusers does not
/// implement here, uses x0 = output like the other samplers.
final class EulerAncestralSampler: Sampler {
    let config: SamplerConfig
    let timesteps: [Double]
    let sigmaTable: [Float]
    let initNoiseSigma: Float
    let alphasCumprodAtSteps: [Float?]
    private let noise: NoiseSource

    var sigmas: [Float]? { sigmaTable }

    init(config: SamplerConfig, schedule: NoiseSchedule, noise: @escaping NoiseSource) {
        self.config = config
        self.noise = noise
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
        let sigma = sigmaTable[step], sigmaNext = sigmaTable[step + 1]
        let x0 = config.prediction.denoised(output: modelOutput, karrasSample: sample, sigma: sigma)
        let sigmaUp = (sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext) / (sigma * sigma)).squareRoot()
        let sigmaDown = (sigmaNext * sigmaNext - sigmaUp * sigmaUp).squareRoot()
        let dt = sigmaDown - sigma
        let z = drawNoise(noise, count: sample.count)
        var next = [Float](repeating: 0, count: sample.count)
        for i in next.indices {
            let derivative = (sample[i] - x0[i]) / sigma
            let moved = sample[i] + derivative * dt
            next[i] = moved + z[i] * sigmaUp
        }
        return SamplerStep(sample: next, denoised: x0)
    }

    /// x = x0 + σ ε.
    func addNoise(to original: [Float], noise: [Float], step: Int) -> [Float] {
        let sigma = sigmaTable[step]
        return zip(original, noise).map { $0 + $1 * sigma }
    }
}
