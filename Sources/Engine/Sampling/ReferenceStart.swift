/// Where a run starts: pure noise, or the noised reference (initial reference noise).
public struct ReferenceStart: Sendable {
    /// The clean start, `frameCount × elementsPerFrame` (e.g. the reference image on every frame), values in [-1, 1].
    public var sample: [Float]
    /// In [0, 1]: 1 = pure noise (the reference is ignored), 0 = no denoising at all.
    public var strength: Double
    /// Creates a reference start.
    public init(sample: [Float], strength: Double) {
        self.sample = sample
        self.strength = strength
    }
}
