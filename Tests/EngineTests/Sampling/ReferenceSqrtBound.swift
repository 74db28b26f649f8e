import Foundation
import Engine

/// How far diffusers' zero-terminal-SNR schedule can be from the same computation with correctly rounded square roots,
/// given which of torch's square roots were inexact on the machine that made the fixture.
///
/// Why: torch's CPU float32 `sqrt` (MKL VML) is not correctly rounded, and `rescale_zero_terminal_snr` takes
/// r_j = √ᾱ_j of the training ᾱ. The fixture records the set P of timesteps j where torch's r̃_j differs from the
/// correctly rounded r_j (`torch_sqrt_inexact`) and the largest difference m in ulps (`torch_sqrt_ulps`);
/// |r̃_j − r_j| ≤ m·ulp(r_j). Zoetrope's correctly rounded result equals the fixture's `exact_sqrt` values bit for bit
/// (checked separately), so this bound is what the plain reference may legitimately differ by.
///
/// Derivation (u = 2⁻²⁴, the float32 unit roundoff). The rescaling computes, in float32,
/// q_j = ((r_j − r_T)·s)² with s = r_0 / (r_0 − r_T), α_j = q_j / q_{j−1} (α_0 = q_0), β_j = 1 − α_j, and the scheduler
/// then ᾱ_t = ∏_{i≤t} (1 − β_i) (float64 running product, rounded to float32). For α ≥ ½, 1 − (1 − α) = α exactly
/// (Sterbenz), so ᾱ_t = q_t · ∏_{i≤t} (1 + ε_i), |ε_i| ≤ u, the ε_i being the roundings of the ratios: the product
/// telescopes, and r̃_j for j ∉ {t, 0, T} reaches ᾱ_t only through those roundings. Hence, relative to ᾱ_t:
/// (a) each j ∈ P with j ≤ t changes the roundings of α_j and α_{j+1}: ≤ 4u (2u on each side);
/// (b) q_t itself changes only when t, 0 or T ∈ P: to first order Σ |∂ ln q_t / ∂r_j| · m·ulp(r_j) over those j, with
///     ∂/∂r_t = 2/(r_t − r_T), ∂/∂r_0 = 2/r_0 − 2/(r_0 − r_T), ∂/∂r_T = 2/(r_0 − r_T) − 2/(r_t − r_T) (q_0 = r_0²:
///     2/r_0), plus ≤ 10u for the five float32 roundings of q_t (−, −, ÷, ×, square) on each side;
/// (c) ≤ 2u for the final float32 rounding on each side.
/// α < ½ only in the last three training steps (t ≥ 997), where 1 − (1 − α) rounds too; ᾱ < 1e-5 there, so the
/// tests' 1e-9 absolute floor (≥ 1e-4 relative) dwarfs those few u.
/// SNR shift ᾱ' = ᾱ / (k + (1 − k)ᾱ): the relative error is multiplied by k / (k + (1 − k)ᾱ), plus 6u (three roundings
/// per side). σ_t = √((1 − ᾱ'_t) / ᾱ'_t) (guarded ᾱ): multiplied by 1 / (2(1 − ᾱ'_t)), plus (5 + 2m)u (1 − ᾱ, ÷ and √
/// on each side; torch's √ is itself m ulps off). A σ at a fractional timestep interpolates its two neighbours: the
/// larger bound + 2u. Karras sigmas depend on the table only through σ_min (σ_max is the 2⁻²⁴ guard on both sides):
/// σ_min's bound + 2u.
/// With P empty every term is 0: the plain reference is then the exact one and the tests use 1e-6. The bound is
/// worst case (every rounding adverse); measured deviations are 5–10× smaller.
/// A fixture without `torch_sqrt_inexact` (made before it was recorded) is treated as P = every timestep, m = 1.
struct ReferenceSqrtBound {
    /// The float32 unit roundoff.
    static let u = 0x1p-24
    /// Relative bound on ᾱ_t (after the SNR shift), t in 0..<T.
    let abar: [Double]
    /// Relative bound on the training σ_t (from the guarded, shifted ᾱ), t in 0..<T.
    let sigma: [Double]

    init(config: SamplerConfig, inexact: [Int]?, ulps: Int?) {
        var plain = config
        plain.zeroTerminalSNR = false
        plain.snrShift = 1
        var unshifted = config
        unshifted.snrShift = 1
        let training = plain.noiseSchedule.alphasCumprod  // torch.cumprod's ᾱ bit for bit: the input of the √
        let rescaled = unshifted.noiseSchedule.alphasCumprod
        let guarded = config.noiseSchedule.guardedAlphasCumprod
        let count = training.count, last = count - 1
        let p = Set(inexact ?? Array(0..<count))
        let m = Double(ulps ?? 1)
        let u = Self.u, k = config.snrShift
        let r = training.map { Double($0.squareRoot()) }
        func ulp(_ j: Int) -> Double { Double(Float(r[j]).ulp) }
        var abar = [Double](repeating: 0, count: count)
        var sigma = [Double](repeating: 0, count: count)
        var below = 0  // |P ∩ [0, t]|
        for t in 0..<count {
            if p.contains(t) { below += 1 }
            guard config.zeroTerminalSNR, t < last else { continue }  // ᾱ_T = 0 exactly on both sides
            var gradient: [Int: Double] = [:]
            let a = r[t] - r[last], b = r[0] - r[last]
            if t == 0 {
                gradient[0] = 2 / r[0]
            } else {
                gradient[t] = 2 / a
                gradient[0] = 2 / r[0] - 2 / b
            }
            gradient[last, default: 0] += 2 / b - 2 / a
            let direct = Set([t, 0, last]).intersection(p)
            var bound = 4 * u * Double(below)
            if !direct.isEmpty { bound += 10 * u + direct.reduce(0) { $0 + abs(gradient[$1] ?? 0) * m * ulp($1) } }
            guard bound > 0 else { continue }
            bound += 2 * u
            if k != 1 { bound = bound * k / (k + (1 - k) * Double(rescaled[t])) + 6 * u }
            abar[t] = bound
            sigma[t] = bound / (2 * (1 - Double(guarded[t]))) + (5 + 2 * m) * u
        }
        self.abar = abar
        self.sigma = sigma
    }

    /// The bound for σ at a (possibly fractional) timestep.
    func sigma(at timestep: Double) -> Double {
        let low = Int(timestep.rounded(.down)), high = Int(timestep.rounded(.up))
        guard low >= 0, high < sigma.count else { return .infinity }
        let value = max(sigma[low], sigma[high])
        return low == high || value == 0 ? value : value + 2 * Self.u
    }
}
