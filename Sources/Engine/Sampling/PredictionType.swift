/// What the denoising model predicts. Every sampler accepts every prediction type (except the combinations noted on
/// the samplers): the sampler converts the model output to the x0 prediction it needs.
public enum PredictionType: String, Codable, Sendable, CaseIterable {
    /// The added noise ε.
    case epsilon
    /// The velocity v = √ᾱ ε − √(1−ᾱ) x0 (Salimans & Ho 2022, §4).
    case v
    /// The clean sample x0 itself.
    case sample

    /// x0 from the model output on the variance-preserving sample x_t = α_t x0 + σ_t ε (α_t² + σ_t² = 1):
    /// ε: x0 = (x_t − σ_t ε) / α_t;  v: x0 = α_t x_t − σ_t v;  sample: x0 = output.
    /// Each value is formed in float32 in the same order as diffusers (DDIM, DPM-Solver `convert_model_output`).
    func denoised(output: [Float], sample: [Float], alphaT: Float, sigmaT: Float) -> [Float] {
        switch self {
        case .epsilon: return zip(sample, output).map { ($0 - sigmaT * $1) / alphaT }
        case .v: return zip(sample, output).map { alphaT * $0 - sigmaT * $1 }
        case .sample: return output
        }
    }

    /// x0 from the model output on the k-diffusion sample x = x0 + σ ε (the Euler samplers' state):
    /// ε: x0 = x − σ ε;  v: x0 = v · (−σ/√(σ²+1)) + x/(σ²+1);  sample: x0 = output.
    /// Matches: diffusers EulerDiscreteScheduler.step (float32, same operation order).
    func denoised(output: [Float], karrasSample sample: [Float], sigma: Float) -> [Float] {
        switch self {
        case .epsilon: return zip(sample, output).map { $0 - sigma * $1 }
        case .v:
            let outputScale = -sigma / (sigma * sigma + 1).squareRoot()
            let sampleDivisor = sigma * sigma + 1
            return zip(sample, output).map { $1 * outputScale + $0 / sampleDivisor }
        case .sample: return output
        }
    }
}
