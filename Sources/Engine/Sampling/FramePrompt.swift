/// One prompt's share of a frame's conditioning.
public struct PromptWeight: Sendable, Equatable, Codable {
    /// Index into `PromptSchedule.prompts`.
    public var prompt: Int
    /// Its weight; a frame's weights sum to 1.
    public var weight: Double

    /// A share of `weight` for prompt `prompt`.
    public init(prompt: Int, weight: Double) {
        self.prompt = prompt
        self.weight = weight
    }
}

/// The conditioning of one frame: a weighted mix of prompts. `from`, `to`, `t` give the pair being interpolated
/// (for slerp, which mixes the two embeddings rather than summing weights).
public struct FramePrompt: Sendable, Equatable {
    /// The clip frame.
    public var frame: Int
    /// Non-zero weights per distinct prompt (lerp: E_f = Σ w_i E_i, exact).
    public var weights: [PromptWeight]
    /// The prompt interpolated from.
    public var from: Int
    /// The prompt interpolated to.
    public var to: Int
    /// Interpolation position in [0, 1) from `from` to `to`.
    public var t: Double

    /// Frame `frame` conditioned on prompt `prompt` alone.
    public static func single(frame: Int, prompt: Int) -> FramePrompt {
        FramePrompt(frame: frame, weights: [PromptWeight(prompt: prompt, weight: 1)], from: prompt, to: prompt, t: 0)
    }
}
