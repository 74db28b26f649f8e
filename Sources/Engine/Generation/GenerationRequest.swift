import Imaging

/// Everything one clip needs: the reference, per-frame condition maps, prompts, seed and sampling parameters.
/// A plain value: the studio and `zoetrope render` build the same request from the same project.
public struct GenerationRequest: Sendable, Equatable {
    /// The person to animate (resized by the caller to the model's frame size).
    public var reference: RGBImage
    /// Condition maps, planar `F × Cc × H × W` (pose colours, hand motion dx/dy, sharpness cue), values as the
    /// trainer made them (see Dancers' condition maps).
    public var conditions: [Float]
    /// Frames in the clip.
    public var frameCount: Int
    /// The distinct prompts.
    public var prompts: [String] = [""]
    /// Per frame: the prompts' weights (from prompt traveling); empty means prompt 0 on every frame.
    public var framePrompts: [FramePrompt] = []
    /// How consecutive prompts' embeddings blend.
    public var interpolation: PromptInterpolation = .lerp
    /// Seed of the start noise (and of any per-step noise).
    public var seed: UInt64 = 42
    /// Schedule, prediction type and solver.
    public var sampler = SamplerConfig()
    /// Guidance passes and scales (animation-cfg).
    public var guidance = GuidanceConfig()
    /// Initial reference noise strength in [0, 1]; 1 starts from pure noise.
    public var referenceNoise: Double = 1
    /// Context windows for clips longer than the model's frame window (nil: the model's window, overlap 4, pyramid).
    public var context: ContextWindowConfig? = nil

    public init(reference: RGBImage, conditions: [Float], frameCount: Int) {
        self.reference = reference
        self.conditions = conditions
        self.frameCount = frameCount
    }

    public static func == (a: GenerationRequest, b: GenerationRequest) -> Bool {
        a.reference == b.reference && a.conditions == b.conditions && a.frameCount == b.frameCount
            && a.prompts == b.prompts && a.framePrompts == b.framePrompts && a.interpolation == b.interpolation
            && a.seed == b.seed && a.sampler == b.sampler && a.guidance == b.guidance
            && a.referenceNoise == b.referenceNoise && a.context == b.context
    }
}

/// What a generation reports, in order: `started`, then one `step` per denoising step, then exactly one of
/// `finished`, `cancelled` or `failed`.
public enum GenerationEvent: Sendable {
    /// The run began; `steps` denoising steps will follow. `warnings` lists unknown prompt words and the like.
    case started(id: Int, steps: Int, warnings: [String])
    /// A step was taken; `previews` are the model's x0 predictions of every frame (they sharpen step by step).
    case step(id: Int, index: Int, count: Int, previews: [RGBImage])
    /// The clip is done.
    case finished(id: Int, frames: [RGBImage])
    /// Cancelled by `cancel()` or a newer request.
    case cancelled(id: Int)
    /// The request could not run; one line saying why.
    case failed(id: Int, message: String)

    /// The request this event belongs to.
    public var id: Int {
        switch self {
        case .started(let id, _, _), .step(let id, _, _, _), .finished(let id, _), .cancelled(let id), .failed(let id, _): return id
        }
    }
}
