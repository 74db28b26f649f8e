import Foundation

/// The training noise schedule: `alphas_cumprod` (ᾱ) over the training timesteps, after the optional zero-terminal-SNR
/// rescaling and resolution SNR shift.
///
/// Order of operations (the fixture script `tools/reference/sampling_fixtures.py` does the same):
/// 1. betas from the `BetaSchedule` (float32);
/// 2. zero terminal SNR (Lin et al. 2024, Alg. 1) rescales the betas (float32, as diffusers);
/// 3. ᾱ = cumprod(1 − β) (float64 accumulator, float32 results — what `torch.cumprod` does on the CPU);
/// 4. SNR shift by k: ᾱ' = ᾱ / (k + (1 − k) ᾱ), i.e. SNR' = SNR / k (float32);
/// 5. Euler and DPM-Solver then replace ᾱ[T−1] = 0 by 2⁻²⁴ so σ stays finite (`guardedAlphasCumprod`); DDIM does not.
///
/// Matches: diffusers 0.42 `DDIMScheduler` / `EulerDiscreteScheduler` / `DPMSolverMultistepScheduler.__init__` and
/// `rescale_zero_terminal_snr`, bit for bit (see `ScheduleFixtureTests`).
/// Limitations: the SNR shift has no diffusers counterpart for these schedulers (CogVideoX's `snr_shift_scale` is the
/// same formula); `trained_betas` and the `exp`/`laplace` alpha-bar transforms are not offered.
public struct NoiseSchedule: Sendable, Equatable {
    /// Number of training timesteps T.
    public let trainSteps: Int
    /// The betas after zero-SNR rescaling (before any shift; the shift acts on ᾱ).
    public let betas: [Float]
    /// ᾱ_t for t in 0..<T, after zero-SNR rescaling and SNR shift. With zero terminal SNR, ᾱ[T−1] = 0 exactly.
    public let alphasCumprod: [Float]
    /// Whether the schedule was rescaled to zero terminal SNR.
    public let zeroTerminalSNR: Bool

    /// Builds the schedule. `snrShift` (k ≥ 0, 1 = none) divides the signal-to-noise ratio at every timestep.
    public init(betaSchedule: BetaSchedule, betaStart: Double = 0.00085, betaEnd: Double = 0.012,
                trainSteps: Int = 1000, zeroTerminalSNR: Bool = false, snrShift: Double = 1) {
        self.trainSteps = trainSteps
        self.zeroTerminalSNR = zeroTerminalSNR
        var betas = betaSchedule.betas(start: betaStart, end: betaEnd, count: trainSteps)
        if zeroTerminalSNR { betas = Self.rescaleZeroTerminalSNR(betas) }
        self.betas = betas
        var abar = Self.cumulativeProduct(betas.map { 1 - $0 })
        if snrShift != 1 { abar = Self.shiftSNR(abar, by: snrShift) }
        self.alphasCumprod = abar
    }

    /// ᾱ with the terminal value replaced by 2⁻²⁴ when it is zero (Euler, Euler ancestral, DPM-Solver).
    public var guardedAlphasCumprod: [Float] {
        var abar = alphasCumprod
        if zeroTerminalSNR, let last = abar.indices.last { abar[last] = Float(1.0 / 16_777_216.0) }
        return abar
    }

    /// k-diffusion sigmas of the training schedule: σ_t = √((1 − ᾱ_t) / ᾱ_t) in float32, from the guarded ᾱ.
    public var trainingSigmas: [Float] {
        guardedAlphasCumprod.map { ((1 - $0) / $0).squareRoot() }
    }

    /// `torch.cumprod` on the CPU: a float64 running product, each partial product rounded to float32.
    static func cumulativeProduct(_ values: [Float]) -> [Float] {
        var accumulator = 1.0
        return values.map { accumulator *= Double($0); return Float(accumulator) }
    }

    /// Lin et al., "Common Diffusion Noise Schedules and Sample Steps are Flawed", Algorithm 1, in float32:
    /// √ᾱ ← (√ᾱ − √ᾱ_T) · √ᾱ_0 / (√ᾱ_0 − √ᾱ_T);  ᾱ = (√ᾱ)²;  α_t = ᾱ_t / ᾱ_{t−1} (α_0 = ᾱ_0);  β = 1 − α.
    static func rescaleZeroTerminalSNR(_ betas: [Float]) -> [Float] {
        guard betas.count >= 2 else { return betas }
        let abar = cumulativeProduct(betas.map { 1 - $0 })
        var root = abar.map { $0.squareRoot() }
        let root0 = root[0], rootT = root[root.count - 1]
        let scale = root0 / (root0 - rootT)
        for i in root.indices { root[i] = (root[i] - rootT) * scale }
        let rescaled = root.map { $0 * $0 }
        var alphas = [Float](repeating: 0, count: rescaled.count)
        alphas[0] = rescaled[0]
        for i in 1..<rescaled.count { alphas[i] = rescaled[i] / rescaled[i - 1] }
        return alphas.map { 1 - $0 }
    }

    /// Shifted SNR: logSNR'(t) = logSNR(t) − log k, i.e. ᾱ' = ᾱ / (k + (1 − k) ᾱ) (float32, as the fixture script).
    static func shiftSNR(_ abar: [Float], by k: Double) -> [Float] {
        let kf = Float(k)
        return abar.map { $0 / (kf + (1 - kf) * $0) }
    }
}
