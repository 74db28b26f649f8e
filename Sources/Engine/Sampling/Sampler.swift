/// Standard-normal noise on demand: returns `count` independent N(0, 1) values. The engine's seeded Philox RNG plugs
/// in here; tests replay the noise diffusers drew.
public typealias NoiseSource = (_ count: Int) -> [Float]

/// A stateful solver for one sampling run, built from a `SamplerConfig` by `makeSampler`.
///
/// The loop, for each step i in `0..<timesteps.count`:
/// `input = scaleModelInput(x, step: i)`, `output = model(input, timesteps[i])`,
/// `x = step(modelOutput: output, step: i, sample: x).sample`, starting from `x = noise · initNoiseSigma` or from
/// `addNoise(to: reference, noise: noise, step: start)`. Buffers are flat arrays of any shape.
public protocol Sampler: AnyObject {
    /// The configuration the sampler was built from.
    var config: SamplerConfig { get }
    /// The model's timestep input at each step, largest first (fractional for Euler with linspace or Karras).
    var timesteps: [Double] { get }
    /// The σ at each step plus the final one (σ-based samplers), else nil.
    var sigmas: [Float]? { get }
    /// The scale of the initial pure noise.
    var initNoiseSigma: Float { get }
    /// ᾱ at each step's timestep as the sampler uses it (nil entries for fractional timesteps).
    var alphasCumprodAtSteps: [Float?] { get }
    /// The model input for a step (Euler divides by √(σ²+1); the others pass the sample through).
    func scaleModelInput(_ sample: [Float], step: Int) -> [Float]
    /// One solver step. Steps must be taken in order from the start step.
    func step(modelOutput: [Float], step: Int, sample: [Float]) -> SamplerStep
    /// The forward process at a step's noise level: the start sample for initial reference noise.
    func addNoise(to original: [Float], noise: [Float], step: Int) -> [Float]
}

/// `count` values from a noise source; a source that returns the wrong number of values (a programming error) is
/// padded with zeros or cut, never read out of bounds.
func drawNoise(_ noise: NoiseSource, count: Int) -> [Float] {
    let z = noise(count)
    if z.count == count { return z }
    return Array((z + [Float](repeating: 0, count: max(count - z.count, 0))).prefix(count))
}
