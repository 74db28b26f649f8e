/// What a Dancers dataset looks like: size, clip length, frame rate, motion blur and split.
public struct SynthConfiguration: Sendable, Codable, Equatable {
    /// Frame width in pixels.
    public var width: Int = 64
    /// Frame height in pixels.
    public var height: Int = 64
    /// Frames per clip.
    public var frames: Int = 16
    /// Frames per second of the clips (sets how far hands move between frames).
    public var fps: Float = 12
    /// Sub-frames averaged over the shutter interval (motion blur); 1 disables blur.
    public var subframes: Int = 8
    /// Shutter open time as a fraction of the frame interval, drawn per clip uniformly from this range.
    public var shutterMin: Float = 0.5
    /// Upper end of the shutter range.
    public var shutterMax: Float = 1.0
    /// Number of distinct identities; clip i uses identity i mod identities.
    public var identities: Int = 16
    /// The dataset seed every identity, motion and clip seed derives from.
    public var seed: UInt64 = 0
    /// Which split to draw identities and motions from.
    public var split: DatasetSplit = .train

    /// The defaults: 64×64, 16 frames at 12 fps, 8 sub-frames, shutter 0.5–1.0 of the frame interval.
    public init() {}

    /// Checks the values; the message names the setting and what to do.
    public func validate() throws(SynthError) {
        guard width >= 16, height >= 16, width <= 4096, height <= 4096 else {
            throw SynthError("frame size \(width)×\(height) is out of range: use 16 to 4096 pixels per side")
        }
        guard frames >= 1 else { throw SynthError("frames must be at least 1, got \(frames)") }
        guard fps > 0, fps.isFinite else { throw SynthError("fps must be positive, got \(fps)") }
        guard subframes >= 1, subframes <= 64 else { throw SynthError("subframes must be 1 to 64, got \(subframes)") }
        guard shutterMin >= 0, shutterMax <= 1, shutterMin <= shutterMax else {
            throw SynthError("shutter range \(shutterMin)…\(shutterMax) must lie within 0…1, low end first")
        }
        guard identities >= 1 else { throw SynthError("identities must be at least 1, got \(identities)") }
    }
}

/// A bad synthesis setting, as one line naming what was wrong and what to do.
public struct SynthError: Error, CustomStringConvertible, Sendable {
    /// The message.
    public let description: String
    /// An error with the given message.
    public init(_ description: String) { self.description = description }
}
