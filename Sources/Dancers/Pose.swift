/// One person's pose in one frame: OpenPose BODY_25, two 21-point hands and the 70-point face layout.
///
/// Coordinates are pixels of a canvas of `canvasWidth × canvasHeight`. Points that are absent have confidence 0.
/// The face array always has 70 slots in OpenPose order; synthetic poses fill a subset (`Skeleton.faceSubset`).
public struct Pose: Sendable, Equatable, Hashable, Codable {
    /// Canvas width in pixels the coordinates refer to.
    public var canvasWidth: Int
    /// Canvas height in pixels.
    public var canvasHeight: Int
    /// BODY_25 keypoints (25), see `Skeleton.Body`.
    public var body: [Keypoint]
    /// The person's left hand (21 points, OpenPose hand order); all missing when unknown.
    public var leftHand: [Keypoint]
    /// The person's right hand (21 points).
    public var rightHand: [Keypoint]
    /// Face landmarks in the OpenPose 70-point layout; all missing when unknown.
    public var face: [Keypoint]

    /// Number of body points (BODY_25).
    public static let bodyCount = 25
    /// Number of points per hand.
    public static let handCount = 21
    /// Number of face landmark slots (OpenPose face).
    public static let faceCount = 70

    /// A pose; missing parts default to all-missing arrays of the right length.
    public init(canvasWidth: Int, canvasHeight: Int, body: [Keypoint],
                leftHand: [Keypoint]? = nil, rightHand: [Keypoint]? = nil, face: [Keypoint]? = nil) {
        self.canvasWidth = canvasWidth
        self.canvasHeight = canvasHeight
        self.body = body
        self.leftHand = leftHand ?? Array(repeating: .missing, count: Pose.handCount)
        self.rightHand = rightHand ?? Array(repeating: .missing, count: Pose.handCount)
        self.face = face ?? Array(repeating: .missing, count: Pose.faceCount)
    }

    /// An empty pose (every point missing).
    public static func empty(canvasWidth: Int, canvasHeight: Int) -> Pose {
        Pose(canvasWidth: canvasWidth, canvasHeight: canvasHeight,
             body: Array(repeating: .missing, count: bodyCount))
    }

    /// The hand on the given side.
    public func hand(_ side: Side) -> [Keypoint] { side == .left ? leftHand : rightHand }

    /// True when any hand point is present.
    public var hasHands: Bool { leftHand.contains { $0.isPresent } || rightHand.contains { $0.isPresent } }

    /// True when any face landmark is present.
    public var hasFace: Bool { face.contains { $0.isPresent } }

    /// Every point mapped by `transform` (x, y) → (x, y); confidence and depth kept, missing points stay missing.
    public func mapped(_ transform: (Float, Float) -> (Float, Float)) -> Pose {
        func m(_ pts: [Keypoint]) -> [Keypoint] {
            pts.map { p in
                guard p.isPresent else { return p }
                let (x, y) = transform(p.x, p.y)
                return Keypoint(x: x, y: y, confidence: p.confidence, depth: p.depth)
            }
        }
        return Pose(canvasWidth: canvasWidth, canvasHeight: canvasHeight, body: m(body),
                    leftHand: m(leftHand), rightHand: m(rightHand), face: m(face))
    }
}

/// The person's own left or right (a person facing the camera has their right hand on the image's left).
public enum Side: Int, Sendable, CaseIterable, Codable {
    /// The person's right.
    case right = 0
    /// The person's left.
    case left = 1
    /// +1 for left, -1 for right: the sign of the body-frame x axis (x points to the person's left).
    @inlinable public var sign: Float { self == .left ? 1 : -1 }
}
