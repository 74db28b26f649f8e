/// A guidance weight per frame: `linspace(start, end)` over the clip's frames (MimicMotion's ramp); constant when equal.
public struct GuidanceScale: Codable, Sendable, Equatable {
    /// The weight at the first frame.
    public var start: Double
    /// The weight at the last frame.
    public var end: Double

    /// The same weight on every frame.
    public static func constant(_ w: Double) -> GuidanceScale { GuidanceScale(start: w, end: w) }
    /// A ramp from `start` on the first frame to `end` on the last.
    public static func ramp(from start: Double, to end: Double) -> GuidanceScale { GuidanceScale(start: start, end: end) }

    /// w_f = start + (end − start) · f / (F − 1)  (f = 0 when F = 1).
    public func weight(frame f: Int, of frameCount: Int) -> Double {
        guard frameCount > 1 else { return start }
        return start + (end - start) * Double(f) / Double(frameCount - 1)
    }
}
