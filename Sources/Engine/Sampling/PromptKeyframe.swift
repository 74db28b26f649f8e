/// A keyframe of a prompt schedule: from this frame on, this prompt (blending toward the next keyframe).
public struct PromptKeyframe: Sendable, Equatable {
    /// The clip frame (resolved and clamped into the clip).
    public var frame: Int
    /// Index into `PromptSchedule.prompts`.
    public var promptIndex: Int
    /// Where the key was written.
    public var position: TextPosition
}
