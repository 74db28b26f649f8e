import Engine
import Foundation

/// The `*.zoetrope.json` project: everything needed to render a clip, shared by the studio and `zoetrope render`.
///
/// Paths are stored relative to the project file. Fields this version does not know (written by a newer Zoetrope or
/// by hand) are kept and written back unchanged.
public struct ProjectDocument: Sendable, Equatable {
    /// Format version written into `"zoetrope_project"`.
    public static let formatVersion: Int64 = 1
    /// The samplers a project may name.
    public static let samplers = ["ddim", "euler", "euler-a", "dpmpp-2m"]

    /// Reference image (the person to animate), relative to the project file.
    public var reference: String
    /// Pose sequence: a folder of OpenPose `*_keypoints.json` files or one JSON array file, relative to the project.
    public var poses: String
    /// Checkpoint (`*.safetensors`); nil means the bundled default model.
    public var model: String? = nil
    /// Random seed of the initial noise.
    public var seed: UInt64 = 42
    /// Denoising steps.
    public var steps: Int = 20
    /// Sampler: one of `samplers`.
    public var sampler: String = "dpmpp-2m"
    /// Frames to render; nil means one per pose.
    public var frames: Int? = nil
    /// Playback rate of the clip and of exports.
    public var fps: Int = 12
    /// Guidance scales and their shaping.
    public var guidance = Guidance()
    /// Initial reference noise strength in [0, 1]; 1 starts from pure noise.
    public var referenceNoise: Double = 1.0
    /// Motion-blur shutter in [0, 1]: how much blur fast hands get (0 = always sharp).
    public var shutter: Double = 0.5
    /// Context windows for clips longer than the model's frame window.
    public var context = ContextWindows()
    /// Prompt keyframes and how they blend.
    public var prompts = PromptKeyframes()
    /// Export settings.
    public var output = OutputSettings()

    /// The document as read, so unknown fields survive a save.
    var original: JSONValue = .object([])

    /// A new project for a reference image and a pose sequence, with default settings.
    public init(reference: String, poses: String) {
        self.reference = reference
        self.poses = poses
    }

    public static func == (a: ProjectDocument, b: ProjectDocument) -> Bool {
        a.makeJSON() == b.makeJSON()
    }

    /// Guidance scales per condition (animation-cfg), the per-frame ramp and guidance rescale.
    public struct Guidance: Sendable, Equatable {
        /// Scale of the reference (appearance) condition.
        public var reference: Double = 2.0
        /// Scale of the pose condition.
        public var pose: Double = 1.0
        /// Scale of the prompt condition.
        public var prompt: Double = 3.0
        /// Per-frame ramp: the first frame's scales are multiplied by this, rising linearly to 1 at the last frame.
        public var rampStart: Double = 1.0
        /// Guidance rescale φ in [0, 1] (0 = off).
        public var rescale: Double = 0.0
        public init() {}
    }

    /// Context windows (length, overlap, fusion, loop closure).
    public struct ContextWindows: Sendable, Equatable {
        /// Frames per window.
        public var length: Int = 16
        /// Frames shared by neighbouring windows.
        public var overlap: Int = 4
        /// How overlapping predictions are fused: `flat`, `pyramid` or `triangular`.
        public var fusion: String = "pyramid"
        /// Close the loop: the last window wraps around to the first frames.
        public var loop: Bool = false
        public static let fusions = ["flat", "pyramid", "triangular"]
        public init() {}
    }

    /// Prompt keyframes (animatediff-cli `prompt_map` semantics).
    public struct PromptKeyframes: Sendable, Equatable {
        /// Keyframes sorted by frame.
        public var keyframes: [Keyframe] = [Keyframe(frame: 0, prompt: "")]
        /// Joined before every keyframe's prompt.
        public var head: String = ""
        /// Joined after every keyframe's prompt.
        public var tail: String = ""
        /// `lerp` or `slerp` between consecutive keyframes' embeddings.
        public var interpolation: String = "lerp"
        /// Fraction of each interval a keyframe's prompt is held before blending (animatediff-cli `prompt_fixed_ratio`).
        public var holdRatio: Double = 0.5
        /// Blend from the last keyframe back to the first.
        public var wrap: Bool = false
        public static let interpolations = ["lerp", "slerp"]
        public init() {}
    }

    /// One prompt keyframe.
    public struct Keyframe: Sendable, Equatable {
        public var frame: Int
        public var prompt: String
        public init(frame: Int, prompt: String) { self.frame = frame; self.prompt = prompt }
    }

    /// Where and how the clip is exported.
    public struct OutputSettings: Sendable, Equatable {
        /// Output path, relative to the project file.
        public var path: String = "out.mp4"
        /// `mp4`, `gif` or `png-seq`.
        public var format: String = "mp4"
        /// Integer upscale factor at export.
        public var upscale: Int = 4
        /// Upscale filter: `nearest`, `bilinear` or `lanczos3`.
        public var filter: String = "nearest"
        /// Panels side by side: `result`, `pose|result` or `reference|pose|result`.
        public var layout: String = "result"
        public static let formats = ["mp4", "gif", "png-seq"]
        public static let filters = ["nearest", "bilinear", "lanczos3"]
        public static let layouts = ["result", "pose|result", "reference|pose|result"]
        public init() {}
    }
}
