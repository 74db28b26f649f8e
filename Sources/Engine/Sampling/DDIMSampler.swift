/// DDIM (Song et al. 2021, eq. 12), with η stochasticity.
///
/// x0 from the prediction type; ε̂ likewise; σ_η = η √((1−ᾱ_prev)/(1−ᾱ_t) · (1 − ᾱ_t/ᾱ_prev));
/// x_prev = √ᾱ_prev x0 + √(1 − ᾱ_prev − σ_η²) ε̂ + σ_η z.
///
/// Matches: diffusers 0.42 `DDIMScheduler` (`clip_sample=False`, `set_alpha_to_one=True`, no thresholding): the
/// previous timestep is t − T // n even with trailing spacing; below 0, ᾱ_prev = 1. Float32 throughout.
/// Limitations: no sample clipping or dynamic thresholding.
final class DDIMSampler: Sampler {
    let config: SamplerConfig
    let timesteps: [Double]
    let sigmas: [Float]? = nil
    let initNoiseSigma: Float = 1
    private let alphasCumprod: [Float]
    private let noise: NoiseSource

    init(config: SamplerConfig, schedule: NoiseSchedule, noise: @escaping NoiseSource) {
        self.config = config
        self.alphasCumprod = schedule.alphasCumprod
        self.noise = noise
        self.timesteps = config.spacing.timesteps(count: config.steps, trainSteps: config.trainSteps,
                                                  offset: config.stepsOffset, flavor: .integer)
    }

    var alphasCumprodAtSteps: [Float?] { timesteps.map { alphasCumprod[Int($0)] } }

    func scaleModelInput(_ sample: [Float], step: Int) -> [Float] { sample }

    /// ᾱ_t and ᾱ_prev for a step.
    private func alphas(step: Int) -> (Float, Float) {
        let t = Int(timesteps[step])
        let previous = t - config.trainSteps / config.steps
        return (alphasCumprod[t], previous >= 0 ? alphasCumprod[previous] : 1)
    }

    func step(modelOutput: [Float], step: Int, sample: [Float]) -> SamplerStep {
        let (alphaProdT, alphaProdPrev) = alphas(step: step)
        let betaProdT = 1 - alphaProdT
        let alphaT = alphaProdT.squareRoot(), sigmaT = betaProdT.squareRoot()
        let x0 = config.prediction.denoised(output: modelOutput, sample: sample, alphaT: alphaT, sigmaT: sigmaT)
        let epsilon: [Float]
        switch config.prediction {
        case .epsilon: epsilon = modelOutput
        case .sample: epsilon = zip(sample, x0).map { ($0 - alphaT * $1) / sigmaT }
        case .v: epsilon = zip(modelOutput, sample).map { alphaT * $0 + sigmaT * $1 }
        }
        // variance = (1 − ᾱ_prev)/(1 − ᾱ_t) · (1 − ᾱ_t/ᾱ_prev);  σ_η = η √variance
        let betaProdPrev = 1 - alphaProdPrev
        let variance = (betaProdPrev / betaProdT) * (1 - alphaProdT / alphaProdPrev)
        let stdDev = Float(config.eta) * variance.squareRoot()
        // 1 − ᾱ_prev − σ_η² is 0 in exact arithmetic at a zero-SNR first step with η = 1; clamp its rounding below 0
        // (diffusers' float32 happens to land on ≥ 0 there; a negative would give NaN).
        let directionScale = max(1 - alphaProdPrev - stdDev * stdDev, 0).squareRoot()
        let previousScale = alphaProdPrev.squareRoot()
        var next = [Float](repeating: 0, count: sample.count)
        for i in next.indices {
            next[i] = previousScale * x0[i] + directionScale * epsilon[i]
        }
        if config.eta > 0 {
            let z = drawNoise(noise, count: sample.count)
            for i in next.indices { next[i] = next[i] + stdDev * z[i] }
        }
        return SamplerStep(sample: next, denoised: x0)
    }

    /// x_t = √ᾱ_t x0 + √(1 − ᾱ_t) ε.
    func addNoise(to original: [Float], noise: [Float], step: Int) -> [Float] {
        let abar = alphasCumprod[Int(timesteps[step])]
        let a = abar.squareRoot(), s = (1 - abar).squareRoot()
        return zip(original, noise).map { a * $0 + s * $1 }
    }
}
