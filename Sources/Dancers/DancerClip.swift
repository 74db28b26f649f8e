import Imaging

/// One rendered frame of a Dancers clip with all its ground truth.
public struct DancerFrame: Sendable {
    /// The motion-blurred picture.
    public var image: RGBImage
    /// The camera at the frame's instant.
    public var camera: Camera
    /// The keypoints at the frame's instant (the middle of the shutter interval).
    public var pose: Pose
    /// Part labels (`PartLabel` raw values), row-major W·H, at the frame's instant.
    public var parts: [UInt8]
    /// Depth in body heights from the camera per pixel; 0 on the background.
    public var depth: [Float]
    /// Face mask (head skin and features), 0 or 255.
    public var faceMask: [UInt8]
    /// Hand mask: every pixel either hand covered during the shutter interval, 0 or 255.
    public var handMask: [UInt8]
    /// Hand movement since the previous frame in pixels, indexed by `Side.rawValue` (right 0, left 1).
    public var handMotion: [SIMD2<Float>]
    /// Hand speed |movement| in pixels per frame (right, left).
    public var handSpeed: [Float]
    /// Speed of each hand while the shutter was open, in pixels per frame interval (path length of the hand's
    /// centroid over the shutter ÷ shutter fraction) — what sets the blur; `handSpeed` is what inference sees.
    public var exposureSpeed: [Float]
    /// Raw normalised Laplacian variance of each hand crop (right, left); nil when too small or off-screen.
    public var sharpnessRaw: [Float?]
    /// Sharpness cue in [0, 1] per hand (right, left).
    public var sharpness: [Float]
    /// Expression during this frame.
    public var expression: Expression
    /// Lighting during this frame.
    public var lighting: Lighting
    /// Move being danced.
    public var move: Move
    /// The frame's caption.
    public var caption: String
}

/// A Dancers clip: its seeds, its person, its frames.
public struct DancerClip: Sendable {
    /// Index of the clip within its split.
    public var index: Int
    /// The split.
    public var split: DatasetSplit
    /// Index of the identity within its split.
    public var identityIndex: Int
    /// The person.
    public var identity: Identity
    /// Seed of the dance.
    public var motionSeed: UInt64
    /// Seed of the clip's attributes (start time, shutter, expression and lighting changes).
    public var clipSeed: UInt64
    /// Shutter fraction of the frame interval.
    public var shutter: Float
    /// Dance tempo in beats per second.
    public var tempo: Float
    /// Frames where the expression changes, with the new expression (the first entry is frame 0).
    public var expressionChanges: [(frame: Int, expression: Expression)]
    /// Frames where the lighting changes (the first entry is frame 0).
    public var lightingChanges: [(frame: Int, lighting: Lighting)]
    /// The frames.
    public var frames: [DancerFrame]
}
