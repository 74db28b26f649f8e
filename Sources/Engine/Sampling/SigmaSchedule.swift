import Foundation

/// The k-diffusion view of a schedule: σ_t = √((1 − ᾱ_t)/ᾱ_t), interpolation at fractional timesteps, Karras spacing.
enum SigmaSchedule {
    /// `numpy.interp(x, arange(len(table)), table)` in float64 (table values are float32).
    static func interpolate(_ table: [Float], at x: Double) -> Double {
        guard let last = table.indices.last else { return .nan }
        if x <= 0 { return Double(table[0]) }
        if x >= Double(last) { return Double(table[last]) }
        let j = Int(x.rounded(.down))
        let slope = (Double(table[j + 1]) - Double(table[j])) / 1.0
        return slope * (x - Double(j)) + Double(table[j])
    }

    /// Karras et al. (2022), eq. 5: σ_i = (σ_max^(1/ρ) + i/(n−1) · (σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ, ρ = 7 (float64).
    /// Matches: diffusers `_convert_to_karras`.
    static func karras(sigmaMin: Double, sigmaMax: Double, count n: Int) -> [Double] {
        let rho = 7.0
        let ramp = TimestepSpacing.numpyLinspace(0, 1, n)
        let minInvRho = pow(sigmaMin, 1 / rho), maxInvRho = pow(sigmaMax, 1 / rho)
        return ramp.map { pow(maxInvRho + $0 * (minInvRho - maxInvRho), rho) }
    }

    /// The fractional timestep whose log-sigma interpolates to `sigma`. Matches: diffusers `_sigma_to_t`
    /// (`logSigmas` are float32 logs of the training sigmas, increasing with t).
    static func timestep(forSigma sigma: Double, logSigmas: [Float]) -> Double {
        let logSigma = log(max(sigma, 1e-10))
        // low = the last index whose log-sigma is ≤ logSigma (0 when none), at most T − 2.
        var low = 0
        for (i, value) in logSigmas.enumerated() where logSigma - Double(value) >= 0 { low = i }
        low = min(low, logSigmas.count - 2)
        let lowValue = Double(logSigmas[low]), highValue = Double(logSigmas[low + 1])
        var w = (lowValue - logSigma) / (lowValue - highValue)
        w = min(max(w, 0), 1)
        return (1 - w) * Double(low) + w * Double(low + 1)
    }
}
