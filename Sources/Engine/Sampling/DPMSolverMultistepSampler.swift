import Foundation

/// DPM-Solver++ 2M (Lu et al. 2022, "DPM-Solver++", Alg. 2), data prediction, midpoint form.
///
/// α_t = 1/√(σ²+1), σ_t = σ α_t, λ = log α_t − log σ_t, h = λ_t − λ_s0, r0 = (λ_s0 − λ_s1)/h,
/// D0 = m0, D1 = (m0 − m1)/r0 (m = x0 predictions);
/// x_t = (σ_t/σ_s0) x − α_t (e^{−h} − 1) D0 − ½ α_t (e^{−h} − 1) D1.
/// The first step and the last (final σ = 0) are first order: x_t = (σ_t/σ_s) x − α_t (e^{−h} − 1) D0.
///
/// Matches: diffusers 0.42 `DPMSolverMultistepScheduler(algorithm_type="dpmsolver++", solver_order=2,
/// solver_type="midpoint", final_sigmas_type="zero")`, optional Karras sigmas, float32 arithmetic.
/// Limitations: no third order, SDE variants, thresholding, λ clipping, Lu / exponential / beta sigmas.
final class DPMSolverMultistepSampler: Sampler {
    let config: SamplerConfig
    let timesteps: [Double]
    let sigmaTable: [Float]
    let initNoiseSigma: Float
    let alphasCumprodAtSteps: [Float?]
    /// The previous step's x0 prediction and its step index.
    private var previous: (step: Int, denoised: [Float])?

    var sigmas: [Float]? { sigmaTable }

    init(config: SamplerConfig, schedule: NoiseSchedule) {
        self.config = config
        let plan = KarrasPlan(config: config, schedule: schedule, family: .dpmSolver)
        self.timesteps = plan.timesteps
        self.sigmaTable = plan.sigmas
        self.alphasCumprodAtSteps = plan.alphasCumprodAtSteps
        self.initNoiseSigma = plan.initNoiseSigma
    }

    func scaleModelInput(_ sample: [Float], step: Int) -> [Float] { sample }

    /// (α_t, σ_t) from the k-diffusion σ: α_t = 1/√(σ²+1), σ_t = σ α_t.
    private func alphaSigma(_ sigma: Float) -> (Float, Float) {
        let alphaT = 1 / (sigma * sigma + 1).squareRoot()
        return (alphaT, sigma * alphaT)
    }

    func step(modelOutput: [Float], step: Int, sample: [Float]) -> SamplerStep {
        let (alphaS0, sigmaS0) = alphaSigma(sigmaTable[step])
        let m0 = config.prediction.denoised(output: modelOutput, sample: sample, alphaT: alphaS0, sigmaT: sigmaS0)
        let (alphaT, sigmaT) = alphaSigma(sigmaTable[step + 1])
        let lambdaT = logf(alphaT) - logf(sigmaT)
        let lambdaS0 = logf(alphaS0) - logf(sigmaS0)
        let h = lambdaT - lambdaS0
        let sampleScale = sigmaT / sigmaS0
        let d0Scale = alphaT * (expf(-h) - 1)
        let isLast = step == timesteps.count - 1
        var next = [Float](repeating: 0, count: sample.count)
        if let previous, previous.step == step - 1, !isLast {
            let (alphaS1, sigmaS1) = alphaSigma(sigmaTable[step - 1])
            let lambdaS1 = logf(alphaS1) - logf(sigmaS1)
            let h0 = lambdaS0 - lambdaS1
            let r0 = h0 / h
            let d1Factor = 1 / r0
            let d1Scale = 0.5 * (alphaT * (expf(-h) - 1))
            let m1 = previous.denoised
            for i in next.indices {
                let d1 = d1Factor * (m0[i] - m1[i])
                next[i] = sampleScale * sample[i] - d0Scale * m0[i] - d1Scale * d1
            }
        } else {
            for i in next.indices { next[i] = sampleScale * sample[i] - d0Scale * m0[i] }
        }
        previous = (step, m0)
        return SamplerStep(sample: next, denoised: m0)
    }

    /// x_t = α_t x0 + σ_t ε.
    func addNoise(to original: [Float], noise: [Float], step: Int) -> [Float] {
        let (alphaT, sigmaT) = alphaSigma(sigmaTable[step])
        return zip(original, noise).map { alphaT * $0 + sigmaT * $1 }
    }
}
