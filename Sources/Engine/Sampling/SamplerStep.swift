/// What one sampler step produces.
public struct SamplerStep: Sendable {
    /// The sample for the next step (x_{t−1}); after the last step, the result.
    public var sample: [Float]
    /// The model's x0 prediction at this step — already an image in pixel space, the studio's preview.
    public var denoised: [Float]
}
