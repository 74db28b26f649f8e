/// One call of the denoising model: a batch of passes (one per guidance condition set) over the same input frames.
public struct ModelBatch: Sendable {
    /// The model input for the window's frames, `frames.count × elementsPerFrame` (already scaled by the sampler).
    public var input: [Float]
    /// The sampler's timestep for the model (fractional for Euler with Karras or linspace spacing).
    public var timestep: Double
    /// The clip frame index of each frame in `input` (context windows pass a subset; prompts are chosen per frame).
    public var frames: [Int]
    /// One pass per entry: the conditions given to the model in that pass. Output i belongs to `conditions[i]`.
    public var conditions: [Set<GuidanceCondition>]

    /// Creates a batch.
    public init(input: [Float], timestep: Double, frames: [Int], conditions: [Set<GuidanceCondition>]) {
        self.input = input
        self.timestep = timestep
        self.frames = frames
        self.conditions = conditions
    }
}

/// The model seen by the loop: one output buffer per pass, each the size of `batch.input`.
public typealias DenoisingModel = (_ batch: ModelBatch) throws -> [[Float]]
