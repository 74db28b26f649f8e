/// One 2-D keypoint in pixels (x right, y down) with a detector confidence and, for synthetic poses, a depth.
public struct Keypoint: Sendable, Equatable, Hashable, Codable {
    /// Column in pixels.
    public var x: Float
    /// Row in pixels.
    public var y: Float
    /// Confidence in [0, 1]; 0 means missing.
    public var confidence: Float
    /// Distance from the camera in body heights (smaller is nearer); 0 when unknown (real poses).
    public var depth: Float

    /// A keypoint; depth defaults to unknown.
    @inlinable
    public init(x: Float, y: Float, confidence: Float, depth: Float = 0) {
        self.x = x; self.y = y; self.confidence = confidence; self.depth = depth
    }

    /// A missing point (all zero), as OpenPose writes it.
    public static let missing = Keypoint(x: 0, y: 0, confidence: 0)

    /// True when the point was detected (confidence above zero).
    @inlinable public var isPresent: Bool { confidence > 0 }
}
