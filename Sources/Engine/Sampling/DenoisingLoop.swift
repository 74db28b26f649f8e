/// The sampling loop: sampler × guidance × context windows around a model closure.
///
/// For each step: scale the input, run every context window's guidance passes as one batch, fuse the windows per
/// pass, combine the passes by guidance, take the sampler step, report the x0 preview (returning `false` cancels).
public struct DenoisingLoop: Sendable {
    /// The schedule / prediction / sampler configuration.
    public var sampler: SamplerConfig
    /// Classifier-free guidance.
    public var guidance: GuidanceConfig
    /// Context windows (nil: the whole clip in one window).
    public var context: ContextWindowConfig?

    /// Creates a loop.
    public init(sampler: SamplerConfig, guidance: GuidanceConfig = .none, context: ContextWindowConfig? = nil) {
        self.sampler = sampler
        self.guidance = guidance
        self.context = context
    }

    /// Runs the loop on a clip of `frameCount` frames of `elementsPerFrame` values. `noise` supplies the start noise
    /// (first draw) and then any per-step noise. Returns nil when `onStep` cancels.
    public func run(frameCount: Int, elementsPerFrame: Int, noise: @escaping NoiseSource,
                    reference: ReferenceStart? = nil, model: DenoisingModel,
                    onStep: (StepEvent) -> Bool = { _ in true }) throws -> [Float]? {
        guard frameCount >= 1, elementsPerFrame >= 1 else {
            throw SamplingError("a clip needs at least one frame of at least one value, got \(frameCount) × \(elementsPerFrame)")
        }
        try guidance.validate()
        try context?.validate()
        let count = frameCount * elementsPerFrame
        let solver = try sampler.makeSampler(noise: noise)
        let n = solver.timesteps.count
        var start = 0
        var x: [Float]
        let initial = noise(count)
        guard initial.count == count else {
            throw SamplingError("the noise source returned \(initial.count) values, expected \(count)")
        }
        if let reference {
            guard reference.strength.isFinite && reference.strength >= 0 && reference.strength <= 1 else {
                throw SamplingError("reference strength must be between 0 and 1, got \(reference.strength)")
            }
        }
        if let reference, reference.strength < 1 {
            guard reference.sample.count == count else {
                throw SamplingError("the reference start has \(reference.sample.count) values, expected \(count)")
            }
            start = sampler.startStep(strength: reference.strength, stepCount: n)
            if start >= n { return reference.sample }
            x = solver.addNoise(to: reference.sample, noise: initial, step: start)
        } else {
            x = initial.map { $0 * solver.initNoiseSigma }
        }
        let passes = guidance.passes
        let windows = context ?? ContextWindowConfig(length: frameCount, overlap: 0)
        for i in start..<n {
            let input = solver.scaleModelInput(x, step: i)
            let timestep = solver.timesteps[i]
            let outputs = try windows.fuse(frameCount: frameCount, elementsPerFrame: elementsPerFrame) { frames in
                var windowInput = [Float]()
                windowInput.reserveCapacity(frames.count * elementsPerFrame)
                for f in frames { windowInput += input[(f * elementsPerFrame)..<((f + 1) * elementsPerFrame)] }
                let result = try model(ModelBatch(input: windowInput, timestep: timestep, frames: frames,
                                                  conditions: passes))
                guard result.count == passes.count, result.allSatisfy({ $0.count == windowInput.count }) else {
                    throw SamplingError("the model returned \(result.count) outputs of \(result.map(\.count)) values; "
                                        + "expected \(passes.count) of \(windowInput.count)")
                }
                return result
            }
            let guided = passes.count == 1 ? outputs[0] : guidance.combine(outputs, frameCount: frameCount)
            let stepResult = solver.step(modelOutput: guided, step: i, sample: x)
            x = stepResult.sample
            let event = StepEvent(step: i - start, stepCount: n - start, timestep: timestep,
                                  denoised: stepResult.denoised)
            if !onStep(event) { return nil }
        }
        return x
    }
}
