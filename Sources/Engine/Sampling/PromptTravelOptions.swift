/// How keyframe embeddings are mixed between keyframes.
public enum PromptInterpolation: String, Codable, Sendable, CaseIterable {
    /// E = (1 − w) E0 + w E1.
    case lerp
    /// Spherical interpolation on the whole embedding, lerp when |cos| > 0.9995.
    case slerp
}

/// Options of prompt traveling (defaults first).
public struct PromptTravelOptions: Codable, Sendable, Equatable {
    /// lerp (default) or slerp.
    public var interpolation: PromptInterpolation = .lerp
    /// animatediff-cli `prompt_fixed_ratio`: each keyframe's prompt is held for this fraction of the interval to the
    /// next keyframe before blending starts (0 = blend at once, 1 = switch at the next key). nil: the file's value,
    /// else 0.5.
    public var holdRatio: Double? = nil
    /// After the last keyframe, blend back toward the first (looping clips, animatediff-cli's behaviour) instead of
    /// holding the last prompt.
    public var wrapAround: Bool = false
    /// Defaults.
    public init() {}
}
