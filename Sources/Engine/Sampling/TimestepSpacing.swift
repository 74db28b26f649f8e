import Foundation

/// How the inference timesteps are chosen among the training timesteps (Lin et al. 2024, Table 2).
public enum TimestepSpacing: String, Codable, Sendable, CaseIterable {
    /// `arange(0, n) · (T // n)`, reversed, plus the steps offset: never reaches T − 1.
    case leading
    /// `round(arange(T, 0, −T/n)) − 1`: starts at T − 1 (needed with zero terminal SNR).
    case trailing
    /// `linspace(0, T − 1, n)`, reversed.
    case linspace

    /// How a scheduler family turns the spacing into timesteps (diffusers differs per class).
    enum Flavor {
        /// DDIM: integer timesteps; linspace rounded.
        case integer
        /// Euler / Euler ancestral: float32 timesteps; linspace not rounded.
        case float32
        /// DPM-Solver multistep: leading and linspace lay out n + 1 points and drop the last.
        case dpmSolver
    }

    /// The n timesteps, largest first, as diffusers' `set_timesteps` computes them for the given flavor.
    ///
    /// Matches: diffusers 0.42 `set_timesteps` of DDIMScheduler, EulerDiscreteScheduler, EulerAncestralDiscreteScheduler,
    /// DPMSolverMultistepScheduler (numpy `arange` length `ceil(T / (T/n))`, `round` half to even).
    /// Limitations: for the step counts where numpy's `arange` yields one extra trailing step ending at −1 (n = 61, 103,
    /// ...), diffusers would read ᾱ[−1]; that step is dropped here.
    func timesteps(count n: Int, trainSteps T: Int, offset: Int, flavor: Flavor) -> [Double] {
        precondition(n >= 1 && T >= 1, "validated by SamplerConfig")
        var values: [Double]
        switch (self, flavor) {
        case (.linspace, .integer):
            values = Self.numpyLinspace(0, Double(T - 1), n).map { $0.rounded(.toNearestOrEven) }.reversed()
        case (.linspace, .float32):
            values = Self.numpyLinspace(0, Double(T - 1), n).map { Double(Float($0)) }.reversed()
        case (.linspace, .dpmSolver):
            values = Array(Self.numpyLinspace(0, Double(T - 1), n + 1).map { $0.rounded(.toNearestOrEven) }
                .reversed().dropLast())
        case (.leading, .dpmSolver):
            let ratio = T / (n + 1)
            values = Array((0...n).map { Double($0 * ratio) }.reversed().dropLast()).map { $0 + Double(offset) }
        case (.leading, _):
            let ratio = T / n
            values = (0..<n).map { Double($0 * ratio) }.reversed().map { $0 + Double(offset) }
        case (.trailing, _):
            let ratio = Double(T) / Double(n)
            let length = Int((Double(T) / ratio).rounded(.up))
            values = (0..<length).map { (Double(T) - Double($0) * ratio).rounded(.toNearestOrEven) - 1 }
        }
        return values.filter { $0 >= 0 }
    }

    /// `numpy.linspace(start, stop, n)` (endpoint included, float64): `start + i · ((stop − start) / (n − 1))`, last = stop.
    static func numpyLinspace(_ start: Double, _ stop: Double, _ n: Int) -> [Double] {
        guard n > 1 else { return n == 1 ? [start] : [] }
        let step = (stop - start) / Double(n - 1)
        var values = (0..<n).map { Double($0) * step + start }
        values[n - 1] = stop
        return values
    }
}
