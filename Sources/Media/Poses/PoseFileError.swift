/// A pose file that cannot be used, as one line naming the file, what was wrong and what to do:
/// `pose file walk/0003.json: expected 75 numbers in pose_keypoints_2d (BODY_25) or 54 (COCO-18), found 54`.
public struct PoseFileError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file or folder concerned.
    public let path: String
    /// What was wrong and what to do.
    public let message: String

    /// An error about `path`.
    public init(_ path: String, _ message: String) { self.path = path; self.message = message }

    /// "pose file PATH: MESSAGE".
    public var description: String { "pose file \(path): \(message)" }
}

/// Which person to take from a frame that lists several.
public enum PersonSelection: Sendable, Equatable {
    /// Exactly one person is expected; several are an error that says how to choose.
    case only
    /// The n-th person in the file's `people` array (0-based).
    case index(Int)
    /// The person whose `person_id` equals this number.
    case id(Int)
}

/// How the numbers in a pose file are scaled.
public enum PoseCoordinates: Sendable, Equatable {
    /// Pixels when any coordinate exceeds 1, otherwise normalised to the canvas.
    case automatic
    /// Pixels of the canvas.
    case pixels
    /// Fractions of the canvas width and height (OpenPose `--keypoint_scale 3`, many ComfyUI nodes).
    case normalised
}
