/// One training batch: `clips` clips of `frames` frames at `size`×`size`, with everything a step needs. Plain
/// arrays, so any data source (the procedural Dancers stream, a dataset folder) can fill it without the engine
/// knowing where it came from.
public struct TrainingBatch: Sendable {
    /// Clips in the batch.
    public var clips: Int
    /// Frames per clip (1 for the image stages).
    public var frames: Int
    /// Frame side in pixels.
    public var size: Int
    /// Ground-truth frames, planar `clips·frames × 3 × size × size` in [-1, 1], the frames of a clip consecutive.
    public var targets: [Float]
    /// One reference image per clip, planar `clips × 3 × size × size` in [-1, 1].
    public var references: [Float]
    /// Condition maps per frame, planar `clips·frames × Cc × size × size` (pose colours, hand motion, sharpness cue
    /// measured on the ground truth).
    public var conditions: [Float]
    /// One caption per frame.
    public var captions: [String]
    /// Face region per frame, `clips·frames × size × size`, 0 or 1 (from keypoints).
    public var faceMasks: [Float]
    /// Hand region per frame, `clips·frames × size × size`, 0 or 1 (from keypoints).
    public var handMasks: [Float]

    /// A batch; the arrays must have the sizes documented on each field (`DiffusionTrainer.step` checks them).
    public init(clips: Int, frames: Int, size: Int, targets: [Float], references: [Float], conditions: [Float],
                captions: [String], faceMasks: [Float], handMasks: [Float]) {
        (self.clips, self.frames, self.size) = (clips, frames, size)
        (self.targets, self.references, self.conditions, self.captions) = (targets, references, conditions, captions)
        (self.faceMasks, self.handMasks) = (faceMasks, handMasks)
    }

    /// Rows (clips × frames).
    public var rows: Int { clips * frames }

    /// Nil when every array has its documented size, else what is wrong.
    public func sizeProblem(conditionChannels: Int) -> String? {
        let n = size * size
        if targets.count != rows * 3 * n { return "targets hold \(targets.count) values, expected \(rows * 3 * n)" }
        if references.count != clips * 3 * n { return "references hold \(references.count) values, expected \(clips * 3 * n)" }
        if conditions.count != rows * conditionChannels * n {
            return "conditions hold \(conditions.count) values, expected \(rows * conditionChannels * n)"
        }
        if captions.count != rows { return "\(captions.count) captions for \(rows) frames" }
        if faceMasks.count != rows * n || handMasks.count != rows * n { return "masks must hold \(rows * n) values" }
        return nil
    }
}
