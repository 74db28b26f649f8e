import Foundation

/// Everything that defines one sampling run's schedule and solver: immutable, `Codable`, `Sendable`.
/// Three independent axes: the noise schedule (beta schedule, zero SNR, SNR shift, spacing, Karras sigmas), the
/// prediction type, and the sampler. `makeSampler` builds the stateful sampler for one run.
public struct SamplerConfig: Codable, Sendable, Equatable {
    /// The solver.
    public var sampler: SamplerKind = .dpmSolver2M
    /// Number of inference steps (1...trainSteps).
    public var steps: Int = 25
    /// The training beta schedule.
    public var betaSchedule: BetaSchedule = .scaledLinear
    /// First beta (for scaled-linear, its square root is interpolated).
    public var betaStart: Double = 0.00085
    /// Last beta.
    public var betaEnd: Double = 0.012
    /// Number of training timesteps T.
    public var trainSteps: Int = 1000
    /// Rescale the betas to zero terminal SNR (Lin et al. 2024); use with trailing spacing and v prediction.
    public var zeroTerminalSNR: Bool = true
    /// How inference timesteps are spread over the training timesteps.
    public var spacing: TimestepSpacing = .trailing
    /// Added to every timestep with leading spacing (Stable Diffusion uses 1).
    public var stepsOffset: Int = 0
    /// What the model predicts.
    public var prediction: PredictionType = .v
    /// Resolution SNR shift k (SNR' = SNR / k; 1 = none; (r / base)² for resolution r trained from base).
    public var snrShift: Double = 1
    /// Karras et al. σ spacing (Euler and DPM-Solver++ only).
    public var karrasSigmas: Bool = false
    /// DDIM stochasticity η (0 = deterministic DDIM, 1 = DDPM-like).
    public var eta: Double = 0

    /// The defaults: DPM-Solver++ 2M, 25 steps, scaled-linear with zero terminal SNR, trailing, v prediction.
    public init() {}

    /// The training noise schedule this configuration describes.
    public var noiseSchedule: NoiseSchedule {
        NoiseSchedule(betaSchedule: betaSchedule, betaStart: betaStart, betaEnd: betaEnd, trainSteps: trainSteps,
                      zeroTerminalSNR: zeroTerminalSNR, snrShift: snrShift)
    }

    /// Checks every field; the error names the field, the value and what is allowed.
    public func validate() throws {
        guard trainSteps >= 2 && trainSteps <= 100_000 else {
            throw SamplingError("train steps must be between 2 and 100000, got \(trainSteps)")
        }
        guard steps >= 1 && steps <= trainSteps else {
            throw SamplingError("steps must be between 1 and \(trainSteps), got \(steps)")
        }
        guard snrShift.isFinite && snrShift > 0 else {
            throw SamplingError("snr shift must be a positive number (1 = no shift), got \(snrShift)")
        }
        guard betaStart.isFinite, betaEnd.isFinite, betaStart > 0, betaEnd < 1, betaStart <= betaEnd else {
            throw SamplingError("betas must satisfy 0 < start ≤ end < 1, got \(betaStart) and \(betaEnd)")
        }
        guard stepsOffset >= 0 && stepsOffset < trainSteps else {
            throw SamplingError("steps offset must be between 0 and \(trainSteps - 1), got \(stepsOffset)")
        }
        guard eta.isFinite && eta >= 0 else { throw SamplingError("eta must be ≥ 0, got \(eta)") }
        if karrasSigmas && !sampler.usesSigmas {
            throw SamplingError("Karras sigmas need a sigma-based sampler (euler, euler-a, dpmpp-2m), not \(sampler.rawValue)")
        }
        if sampler == .eulerAncestral && karrasSigmas {
            throw SamplingError("Karras sigmas are not offered for euler-a (diffusers has none); use euler or dpmpp-2m")
        }
        if eta != 0 && sampler != .ddim {
            throw SamplingError("eta applies to ddim only, got eta \(eta) with \(sampler.rawValue)")
        }
        let last = spacing.timesteps(count: steps, trainSteps: trainSteps, offset: stepsOffset,
                                     flavor: sampler.flavor).max() ?? 0
        if last > Double(trainSteps - 1) {
            throw SamplingError("steps offset \(stepsOffset) with \(steps) \(spacing.rawValue) steps reaches timestep "
                                + "\(Int(last)), beyond the \(trainSteps) training steps; lower the offset or the steps")
        }
    }

    // MARK: - Codable with defaults for missing keys

    private enum CodingKeys: String, CodingKey {
        case sampler, steps, betaSchedule, betaStart, betaEnd, trainSteps, zeroTerminalSNR, spacing, stepsOffset
        case prediction, snrShift, karrasSigmas, eta
    }

    /// Decodes a configuration; missing keys take their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SamplerConfig()
        sampler = try c.decodeIfPresent(SamplerKind.self, forKey: .sampler) ?? d.sampler
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? d.steps
        betaSchedule = try c.decodeIfPresent(BetaSchedule.self, forKey: .betaSchedule) ?? d.betaSchedule
        betaStart = try c.decodeIfPresent(Double.self, forKey: .betaStart) ?? d.betaStart
        betaEnd = try c.decodeIfPresent(Double.self, forKey: .betaEnd) ?? d.betaEnd
        trainSteps = try c.decodeIfPresent(Int.self, forKey: .trainSteps) ?? d.trainSteps
        zeroTerminalSNR = try c.decodeIfPresent(Bool.self, forKey: .zeroTerminalSNR) ?? d.zeroTerminalSNR
        spacing = try c.decodeIfPresent(TimestepSpacing.self, forKey: .spacing) ?? d.spacing
        stepsOffset = try c.decodeIfPresent(Int.self, forKey: .stepsOffset) ?? d.stepsOffset
        prediction = try c.decodeIfPresent(PredictionType.self, forKey: .prediction) ?? d.prediction
        snrShift = try c.decodeIfPresent(Double.self, forKey: .snrShift) ?? d.snrShift
        karrasSigmas = try c.decodeIfPresent(Bool.self, forKey: .karrasSigmas) ?? d.karrasSigmas
        eta = try c.decodeIfPresent(Double.self, forKey: .eta) ?? d.eta
    }
}
